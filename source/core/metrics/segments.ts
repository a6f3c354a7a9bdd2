import type { JsHistogram } from 'hdr-histogram-js';
import type { LoadSetting, ProbeWindow } from '../events.js';
import type { QueryRecord } from '../query.js';
import { newHistogram, statsFrom, toMicros, type ExactTotals } from './hdr.js';
import type { MeasuredWindow } from './group.js';
import type { SloTargets } from './latency-values.js';
import { ProbeWindowTracker } from './probe-window.js';
import type { SegmentSummary } from './snapshot.js';

interface SegmentState {
  index: number;
  policy: string;
  setting?: SegmentSetting;
  probe?: ProbeWindowTracker;
  tStart: number;
  tEnd?: number;
  completed: number;
  e2e: JsHistogram;
  e2eTotals: ExactTotals;
  scored: number;
  hits: number;
  /** Distinct questions answered (a finished record) in this segment, and those escalated (cascade). */
  questions: number;
  escalated: number;
  /**
   * Escalated questions with one of their two records (A's and B's, finished or failed)
   * seen: true when it was a finished one (the question is counted). Dropped at the second,
   * so this holds questions in flight, not every id of the run.
   */
  openEscalations: Map<number, boolean>;
}

/** What a segment runs at; `probe` marks a sweep probe's segment. */
export interface SegmentSetting {
  load: LoadSetting;
  weight: number;
  probe?: ProbeWindow;
}

/** Mean device power (W) over [from, to], or undefined without readings there. */
export type MeanPowerOver = (from: number, to: number) => number | undefined;

/**
 * Segments: segment 0 starts at run-start and every policy switch, load change or weight
 * change starts the next, so each holds one setting's figures. A record belongs to the segment its question was issued in (record.segment),
 * even when it completes after the switch, so a segment's figures are its policy's.
 */
export class SegmentTracker {
  private readonly segments = new Map<number, SegmentState>();
  /** Questions with a counted (non-escalated) finished record and not yet done: mirror's second record must not count again. */
  private readonly countedInFlight = new Set<number>();

  constructor(private readonly slo: SloTargets = {}) {}

  start(index: number, policy: string, t: number, setting?: SegmentSetting): void {
    for (const segment of this.segments.values()) {
      if (segment.tEnd === undefined && segment.index !== index) segment.tEnd = t;
    }
    const existing = this.segments.get(index);
    const segment = existing ?? newSegment(index, policy, t);
    if (existing) {
      existing.policy = policy;
      existing.tStart = Math.min(existing.tStart, t);
    } else {
      this.segments.set(index, segment);
    }
    if (setting) {
      segment.setting = setting;
      if (setting.probe) segment.probe = new ProbeWindowTracker(setting.probe, this.slo);
    }
  }

  /** A measured question issued in `segment`; `backlog`: the run's questions in flight before it. */
  issued(seq: number, segment: number, t: number, targets: number, backlog: number): void {
    this.segments.get(segment)?.probe?.onIssued(seq, t, targets, backlog);
  }

  /** `scored: false` (a superseded cascade answer) keeps the record out of the segment's EM. */
  addFinished(record: QueryRecord, e2eMs: number, scored = true): void {
    let segment = this.segments.get(record.segment);
    if (!segment) {
      // A record from a segment whose start we never saw (a partial log): open it at its issue time.
      segment = newSegment(record.segment, record.policy, record.tIssued);
      this.segments.set(record.segment, segment);
    }
    segment.completed++;
    if (scored) segment.probe?.onFinal(record);
    if (Number.isFinite(e2eMs) && e2eMs >= 0) {
      const us = toMicros(e2eMs);
      segment.e2e.recordValue(us);
      segment.e2eTotals.count++;
      segment.e2eTotals.sumUs += us;
      segment.e2eTotals.minUs = Math.min(segment.e2eTotals.minUs, us);
      segment.e2eTotals.maxUs = Math.max(segment.e2eTotals.maxUs, us);
    }
    if (scored && record.em !== undefined) {
      segment.scored++;
      if (record.em >= 1) segment.hits++;
    }
    if (!record.escalated) {
      if (this.countedInFlight.has(record.seq)) return;
      this.countedInFlight.add(record.seq);
      segment.questions++;
      return;
    }
    const counted = segment.openEscalations.get(record.seq);
    if (counted === undefined) {
      segment.openEscalations.set(record.seq, true);
    } else {
      segment.openEscalations.delete(record.seq);
      if (counted) return;
    }
    segment.questions++;
    segment.escalated++;
  }

  /** The store saw every record of the question: it can no longer be counted twice. */
  questionDone(seq: number): void {
    this.countedInFlight.delete(seq);
  }

  /** A failed record only matters as one of an escalated question's two records. */
  addFailed(record: QueryRecord, final = true): void {
    const segment = this.segments.get(record.segment);
    if (final) segment?.probe?.onFinal(record);
    if (!record.escalated || !segment) return;
    if (segment.openEscalations.has(record.seq)) segment.openEscalations.delete(record.seq);
    else segment.openEscalations.set(record.seq, false);
  }

  /**
   * Summaries in segment order. A segment's rates and power cover its part of the
   * measured window (warm-up before it excluded), up to its end or window.end.
   */
  summaries(window: MeasuredWindow, meanPowerOver: MeanPowerOver): SegmentSummary[] {
    return [...this.segments.values()]
      .sort((a, b) => a.index - b.index)
      .map((segment) => {
        const stats = statsFrom(segment.e2e, segment.e2eTotals);
        const summary: SegmentSummary = {
          index: segment.index,
          policy: segment.policy,
          ...(segment.setting ? { load: segment.setting.load, weight: segment.setting.weight } : {}),
          tStart: segment.tStart,
          tEnd: segment.tEnd,
          completed: segment.completed,
          e2eP50: stats.p50,
          e2eP99: stats.p99,
        };
        if (segment.scored > 0) summary.em = (100 * segment.hits) / segment.scored;
        const from = window.start === undefined ? undefined : Math.max(segment.tStart, window.start);
        const to = Math.min(segment.tEnd ?? window.end, window.end);
        if (from !== undefined && to > from) {
          summary.qps = segment.completed / ((to - from) / 1000);
          summary.meanPowerW = meanPowerOver(from, to);
        }
        if (segment.policy === 'cascade' && segment.questions > 0) {
          summary.escalationRate = segment.escalated / segment.questions;
        }
        if (segment.probe) summary.probe = segment.probe.figures(meanPowerOver);
        return summary;
      });
  }
}

function newSegment(index: number, policy: string, tStart: number): SegmentState {
  return {
    index,
    policy,
    tStart,
    completed: 0,
    e2e: newHistogram(),
    e2eTotals: { count: 0, sumUs: 0, minUs: Infinity, maxUs: -Infinity },
    scored: 0,
    hits: 0,
    questions: 0,
    escalated: 0,
    openEscalations: new Map(),
  };
}
