import type { JsHistogram } from 'hdr-histogram-js';
import type { ModelSlot } from '../engines/engine.js';
import type { QueryRecord } from '../query.js';
import { newHistogram, toMicros, type ExactTotals } from './hdr.js';
import { quantileEstimate, rateEstimate } from './intervals.js';
import type { SegmentModelFigures } from './snapshot.js';
import { wilsonInterval } from './wilson.js';

/**
 * One model's records within one segment, for the per-model A/B rows: E2E p50/p99, q/s
 * and its own EM (every record it finished, a superseded cascade answer included: it is
 * what that model answered), each with a 95% interval; and, for cascade, the hits of the
 * escalated questions' answers, from which the EM the escalation bought follows.
 */
export class SegmentModelTally {
  completed = 0;
  failed = 0;
  private readonly e2e: JsHistogram = newHistogram();
  private readonly totals: ExactTotals = { count: 0, sumUs: 0, minUs: Infinity, maxUs: -Infinity };
  private scored = 0;
  private hits = 0;
  /** Hits among this model's answers to escalated questions (cascade). */
  escalatedHits = 0;

  add(record: QueryRecord): void {
    if (record.error !== undefined) {
      this.failed++;
      return;
    }
    this.completed++;
    const e2eMs = record.tDone - record.tIssued;
    if (Number.isFinite(e2eMs) && e2eMs >= 0) {
      const us = toMicros(e2eMs);
      this.e2e.recordValue(us);
      this.totals.count++;
      this.totals.sumUs += us;
      this.totals.minUs = Math.min(this.totals.minUs, us);
      this.totals.maxUs = Math.max(this.totals.maxUs, us);
    }
    if (record.em !== undefined) {
      this.scored++;
      if (record.em >= 1) {
        this.hits++;
        if (record.escalated) this.escalatedHits++;
      }
    }
  }

  /** `seconds`: the segment's measured span (undefined before it has one). */
  figures(seconds: number | undefined): SegmentModelFigures {
    const figures: SegmentModelFigures = { completed: this.completed, failed: this.failed };
    const p50 = quantileEstimate(this.e2e, this.totals, 0.5);
    const p99 = quantileEstimate(this.e2e, this.totals, 0.99);
    if (p50) figures.e2eP50 = p50;
    if (p99) figures.e2eP99 = p99;
    const qps = seconds === undefined ? undefined : rateEstimate(this.completed, seconds);
    if (qps) figures.qps = qps;
    if (this.scored > 0) {
      const { low, high } = wilsonInterval(this.hits, this.scored);
      figures.em = { value: (100 * this.hits) / this.scored, low: 100 * low, high: 100 * high, n: this.scored };
    }
    return figures;
  }
}

export function newModelTallies(): Record<ModelSlot, SegmentModelTally> {
  return { A: new SegmentModelTally(), B: new SegmentModelTally() };
}
