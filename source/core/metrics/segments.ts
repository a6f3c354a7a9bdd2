import type { JsHistogram } from 'hdr-histogram-js';
import type { LoadSetting, ProbeWindow } from '../events.js';
import type { QueryRecord } from '../query.js';
import { newHistogram, statsFrom, toMicros, type ExactTotals } from './hdr.js';
import type { MeasuredWindow } from './group.js';
import type { SloTargets } from './latency-values.js';
import { ProbeWindowTracker } from './probe-window.js';
import type { SegmentSummary } from './snapshot.js';
import { newModelTallies, type SegmentModelTally } from './segment-models.js';
import type { SystemAnswer } from './system.js';

interface SegmentState {
  index: number;
  policy: string;
  setting?: SegmentSetting;
  probe?: ProbeWindowTracker;
  tStart: number;
  tEnd?: number;
  /** Questions the system answered (one per question: see SystemAnswer), and those that failed. */
  completed: number;
  failed: number;
  e2e: JsHistogram;
  e2eTotals: ExactTotals;
  scored: number;
  hits: number;
  /** Questions escalated to the large model (cascade), answered or failed. */
  escalated: number;
  /** Each model's own records (the per-model A/B rows). */
  models: Record<'A' | 'B', SegmentModelTally>;
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

  constructor(private readonly slo: SloTargets = {}) {}

  start(index: number, policy: string, t: number, setting?: SegmentSetting): void {
    for (const segment of this.segments.values()) {
      if (segment.tEnd === undefined && segment.index !== index) {
        segment.tEnd = t;
        segment.probe?.close();
      }
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

  /** A finished or failed record; `final: false` (a superseded cascade answer) keeps it from the probe window. */
  addRecord(record: QueryRecord, final = true): void {
    const segment = this.segments.get(record.segment);
    if (final) segment?.probe?.onFinal(record);
    segment?.models[record.model].add(record);
  }

  /** The system's answer to one question of the segment: its count, E2E, EM and escalation. */
  addAnswer(answer: SystemAnswer): void {
    const record = answer.record;
    let segment = this.segments.get(record.segment);
    if (!segment) {
      // A record from a segment whose start we never saw (a partial log): open it at its issue time.
      segment = newSegment(record.segment, record.policy, record.tIssued);
      this.segments.set(record.segment, segment);
    }
    if (record.escalated) segment.escalated++;
    if (record.error !== undefined) {
      segment.failed++;
      return;
    }
    segment.completed++;
    const e2eMs = record.tDone - record.tIssued;
    if (Number.isFinite(e2eMs) && e2eMs >= 0) {
      const us = toMicros(e2eMs);
      segment.e2e.recordValue(us);
      segment.e2eTotals.count++;
      segment.e2eTotals.sumUs += us;
      segment.e2eTotals.minUs = Math.min(segment.e2eTotals.minUs, us);
      segment.e2eTotals.maxUs = Math.max(segment.e2eTotals.maxUs, us);
    }
    for (const scored of answer.scored) {
      if (scored.em === undefined) continue;
      segment.scored++;
      if (scored.em >= 1) segment.hits++;
    }
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
          if (summary.meanPowerW !== undefined) summary.joules = (summary.meanPowerW * (to - from)) / 1000;
        }
        const questions = segment.completed + segment.failed;
        if (segment.policy === 'cascade' && questions > 0) {
          summary.escalationRate = segment.escalated / questions;
          summary.emBought = (100 * (segment.models.B.escalatedHits - segment.models.A.escalatedHits)) / questions;
        }
        const seconds = from !== undefined && to > from ? (to - from) / 1000 : undefined;
        summary.models = { A: segment.models.A.figures(seconds), B: segment.models.B.figures(seconds) };
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
    failed: 0,
    e2e: newHistogram(),
    e2eTotals: { count: 0, sumUs: 0, minUs: Infinity, maxUs: -Infinity },
    scored: 0,
    hits: 0,
    escalated: 0,
    models: newModelTallies(),
  };
}
