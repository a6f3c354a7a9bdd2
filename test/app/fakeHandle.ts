import type { RunHandle, RunOutcome } from '../../source/core/controller.js';
import type { RunCommand, RunEvent } from '../../source/core/events.js';
import type { Snapshot } from '../../source/core/metrics/snapshot.js';
import { snapshot as makeSnapshot } from './fixtures.js';

/** A RunHandle that records commands and lets the test emit events, change the snapshot and finish. */
export class FakeHandle implements RunHandle {
  sent: RunCommand[] = [];
  current: Snapshot;
  snapshotCalls = 0;
  readonly finished: Promise<RunOutcome>;
  readonly logPath = 'logs/test-session.jsonl';
  private listeners = new Set<(event: RunEvent) => void>();
  private resolve!: (outcome: RunOutcome) => void;

  constructor(initial: Snapshot = makeSnapshot()) {
    this.current = initial;
    this.finished = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }
  snapshot(): Snapshot {
    this.snapshotCalls++;
    return this.current;
  }
  send(command: RunCommand): void {
    this.sent.push(command);
  }
  subscribe(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: RunEvent): void {
    for (const listener of this.listeners) listener(event);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  finish(reason: RunOutcome['reason'] = 'quit'): RunOutcome {
    const outcome: RunOutcome = { reason, snapshot: this.current, logPath: this.logPath, exitCode: 0 };
    this.resolve(outcome);
    return outcome;
  }
}
