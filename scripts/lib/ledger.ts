/**
 * The soak's streaming bookkeeping: every (question, model) issued must end in exactly
 * one record. Only open entries are kept, so memory stays bounded by what is in flight.
 */
import type { RunEvent } from '../../source/core/events.js';
import type { ChaosEngine, FaultKind } from './chaos-engine.js';

export class Ledger {
  issued = 0;
  results = 0;
  errors = 0;
  records = 0;
  readonly problems: string[] = [];
  readonly injected: Record<FaultKind, number> = { slow: 0, drop: 0, http500: 0, hang: 0, kill: 0 };
  readonly survived: Record<FaultKind, number> = { slow: 0, drop: 0, http500: 0, hang: 0, kill: 0 };
  /** Record ids expected and not yet seen. */
  private readonly open = new Set<string>();

  constructor(private readonly engines: Record<'A' | 'B', ChaosEngine>) {}

  inject(kind: FaultKind): void {
    this.injected[kind]++;
  }

  push(event: RunEvent): void {
    if (event.type === 'query-issued') {
      this.issued++;
      for (const model of event.targets) this.expect(`${event.seq}:${model}`);
      return;
    }
    if (event.type !== 'query-finished' && event.type !== 'query-failed') return;
    const record = event.record;
    this.records++;
    if (event.type === 'query-finished') this.results++;
    else this.errors++;
    if (!this.open.delete(record.id)) this.problem(`${record.id}: a record that was not expected (duplicate or never issued)`);
    // Cascade: an escalated answer from A announces one more record, from B.
    if (record.escalated && record.model === 'A') this.expect(`${record.seq}:B`);
    const fault = this.engines[record.model].pending.get(record.id);
    if (fault) {
      this.engines[record.model].pending.delete(record.id);
      this.survived[fault]++;
    }
  }

  /** Ids still waiting for their record (must be none once the run has ended). */
  get missing(): string[] {
    return [...this.open];
  }

  private expect(id: string): void {
    if (this.open.has(id)) this.problem(`${id}: issued twice`);
    this.open.add(id);
  }

  private problem(text: string): void {
    if (this.problems.length < 20) this.problems.push(text);
  }
}
