import type { JsHistogram } from 'hdr-histogram-js';
import type { ProbeWindow } from '../events.js';
import type { QueryRecord } from '../query.js';
import { newHistogram, statsFrom, toMicros, type ExactTotals } from './hdr.js';
import { latencyValuesOf, meetsSlo, type SloTargets } from './latency-values.js';
import type { ProbeWindowFigures } from './snapshot.js';

interface MeasuredQuestion {
  tIssued: number;
  /** Final records still to come (a superseded cascade answer is not final). */
  remaining: number;
  failed: boolean;
  withinSlo: boolean;
  correct: boolean;
  f1: number;
  e2eMs: number;
  ttftMs?: number;
}

/**
 * The steady-state figures of one probe segment: only the questions issued after the
 * segment's first `skip` and among the next `count` are measured, each judged as a whole
 * from its own issue time to its last final answer (so a cascade question's latency
 * includes the small model's attempt, and a mirrored one is on time when both answers
 * are). Mirror counts a question correct when either answer is. Only questions in flight
 * are remembered.
 */
export class ProbeWindowTracker {
  private issuedInSegment = 0;
  private closed = false;
  private readonly inFlight = new Map<number, MeasuredQuestion>();
  private issued = 0;
  private done = 0;
  private failed = 0;
  private withinSlo = 0;
  private correct = 0;
  private correctWithinSlo = 0;
  private f1Sum = 0;
  private tFirstIssue?: number;
  private tLastIssue?: number;
  private tLastDone?: number;
  /** Issue time of the first question after the measured ones: the measured arrivals span exactly `count` gaps up to it. */
  private tNextIssue?: number;
  private readonly e2e = histogramWithTotals();
  private readonly ttft = histogramWithTotals();
  /** Least-squares sums of the run's backlog (issued - done) against time (s since the first measured issue), one point per measured issue. */
  private readonly fit = { n: 0, t: 0, y: 0, tt: 0, ty: 0, first: 0, last: 0 };

  constructor(
    readonly window: ProbeWindow,
    private readonly slo: SloTargets,
  ) {}

  /** A question issued in this probe's segment; `backlog` is the run's questions in flight before it. */
  onIssued(seq: number, t: number, targets: number, backlog: number): void {
    const ordinal = this.issuedInSegment++;
    if (ordinal === this.window.skip + this.window.count) this.tNextIssue = t;
    if (ordinal < this.window.skip || ordinal >= this.window.skip + this.window.count) return;
    this.inFlight.set(seq, { tIssued: t, remaining: targets, failed: false, withinSlo: true, correct: false, f1: 0, e2eMs: 0 });
    this.issued++;
    this.tFirstIssue ??= t;
    this.tLastIssue = t;
    const x = (t - this.tFirstIssue) / 1000;
    const fit = this.fit;
    if (fit.n === 0) fit.first = backlog;
    fit.last = backlog;
    fit.n++;
    fit.t += x;
    fit.y += backlog;
    fit.tt += x * x;
    fit.ty += x * backlog;
  }

  /**
   * The next segment started: the probe was judged then, so answers arriving later are
   * left out (they stay unanswered, as the live verdict saw them), and a log replayed
   * through the store judges the probe exactly as the sweep did.
   */
  close(): void {
    this.closed = true;
  }

  /** A final record (not a superseded cascade answer) of a question of this segment. */
  onFinal(record: QueryRecord): void {
    if (this.closed) return;
    const question = this.inFlight.get(record.seq);
    if (!question) return;
    if (record.error !== undefined) {
      question.failed = true;
    } else {
      const values = latencyValuesOf({ ...record, tIssued: question.tIssued });
      if (!meetsSlo(values, this.slo)) question.withinSlo = false;
      if (record.em !== undefined && record.em >= 1) question.correct = true;
      question.f1 = Math.max(question.f1, record.f1 ?? 0);
      question.e2eMs = Math.max(question.e2eMs, record.tDone - question.tIssued);
      const ttft = values.ttft?.[0];
      if (ttft !== undefined) question.ttftMs = Math.max(question.ttftMs ?? 0, ttft);
    }
    if (--question.remaining > 0) return;
    this.inFlight.delete(record.seq);
    this.done++;
    this.tLastDone = Math.max(this.tLastDone ?? record.tDone, record.tDone);
    if (question.failed) {
      this.failed++;
      return;
    }
    add(this.e2e, question.e2eMs);
    if (question.ttftMs !== undefined) add(this.ttft, question.ttftMs);
    this.f1Sum += question.f1;
    if (question.withinSlo) this.withinSlo++;
    if (question.correct) this.correct++;
    if (question.correct && question.withinSlo) this.correctWithinSlo++;
  }

  figures(meanPowerOver: (from: number, to: number) => number | undefined): ProbeWindowFigures {
    const e2e = statsFrom(this.e2e.histogram, this.e2e.totals);
    const ttft = statsFrom(this.ttft.histogram, this.ttft.totals);
    const figures: ProbeWindowFigures = {
      ...this.window,
      issued: this.issued,
      done: this.done,
      failed: this.failed,
      withinSlo: this.withinSlo,
      correct: this.correct,
      correctWithinSlo: this.correctWithinSlo,
      backlogFirst: this.fit.first,
      backlogLast: this.fit.last,
    };
    const answered = this.done - this.failed;
    if (answered > 0) figures.f1 = (100 * this.f1Sum) / answered;
    if (e2e.count > 0) Object.assign(figures, { e2eP50: e2e.p50, e2eP99: e2e.p99 });
    if (ttft.count > 0) Object.assign(figures, { ttftP50: ttft.p50, ttftP99: ttft.p99 });
    if (this.tFirstIssue !== undefined) figures.tFirstIssue = this.tFirstIssue;
    if (this.tLastIssue !== undefined) figures.tLastIssue = this.tLastIssue;
    if (this.tLastDone !== undefined) figures.tLastDone = this.tLastDone;
    if (this.tNextIssue !== undefined) figures.tNextIssue = this.tNextIssue;
    const slope = this.backlogSlope();
    if (slope !== undefined) figures.backlogSlope = slope;
    if (this.tFirstIssue !== undefined && this.tLastDone !== undefined && this.tLastDone > this.tFirstIssue) {
      const power = meanPowerOver(this.tFirstIssue, this.tLastDone);
      if (power !== undefined) figures.meanPowerW = power;
    }
    return figures;
  }

  /** Questions per second by which the backlog grew across the probe (least squares), once there are 3 points. */
  private backlogSlope(): number | undefined {
    const { n, t, y, tt, ty } = this.fit;
    const denominator = n * tt - t * t;
    if (n < 3 || denominator <= 0) return undefined;
    return (n * ty - t * y) / denominator;
  }
}

function histogramWithTotals(): { histogram: JsHistogram; totals: ExactTotals } {
  return { histogram: newHistogram(), totals: { count: 0, sumUs: 0, minUs: Infinity, maxUs: -Infinity } };
}

function add(target: { histogram: JsHistogram; totals: ExactTotals }, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  const us = toMicros(ms);
  target.histogram.recordValue(us);
  target.totals.count++;
  target.totals.sumUs += us;
  target.totals.minUs = Math.min(target.totals.minUs, us);
  target.totals.maxUs = Math.max(target.totals.maxUs, us);
}
