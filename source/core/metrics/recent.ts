import type { QueryRecord } from '../query.js';
import type { RecentAnswer } from './snapshot.js';

/** The last N answers, newest first (for the answers ticker). */
export class RecentAnswers {
  private readonly answers: RecentAnswer[] = [];

  constructor(private readonly capacity: number) {}

  add(record: QueryRecord): void {
    if (this.capacity <= 0) return;
    this.answers.unshift({
      seq: record.seq,
      model: record.model,
      question: record.question ?? record.questionId,
      prediction: record.prediction ?? '',
      gold: record.gold ?? [],
      hit: record.em !== undefined && record.em >= 1,
      e2eMs: record.tDone - record.tIssued,
    });
    if (this.answers.length > this.capacity) this.answers.pop();
  }

  list(): RecentAnswer[] {
    return [...this.answers];
  }
}

/** The N slowest finished records of the run by end-to-end latency, slowest first (ties: earlier seq first). */
export class SlowestRecords {
  private readonly records: QueryRecord[] = [];

  constructor(private readonly capacity: number) {}

  add(record: QueryRecord): void {
    if (this.capacity <= 0) return;
    const e2e = record.tDone - record.tIssued;
    const full = this.records.length >= this.capacity;
    const weakest = this.records[this.records.length - 1];
    if (full && weakest && !slower(e2e, record, weakest)) return;
    let at = this.records.findIndex((other) => slower(e2e, record, other));
    if (at < 0) at = this.records.length;
    this.records.splice(at, 0, record);
    if (this.records.length > this.capacity) this.records.pop();
  }

  list(): QueryRecord[] {
    return [...this.records];
  }
}

function slower(e2e: number, record: QueryRecord, other: QueryRecord): boolean {
  const otherE2e = other.tDone - other.tIssued;
  if (e2e !== otherE2e) return e2e > otherE2e;
  return record.seq < other.seq || (record.seq === other.seq && record.model < other.model);
}
