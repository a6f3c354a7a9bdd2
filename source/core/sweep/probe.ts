import type { LoadSetting } from '../events.js';
import type { ProbeWindowFigures, Proportion, SegmentSummary } from '../metrics/snapshot.js';
import { wilsonInterval } from '../metrics/wilson.js';
import type { SweepMode, Verdict } from './search.js';

/** 95% two-sided, as every other interval duet shows. */
export const Z95 = 1.96;

/**
 * Measured questions a probe needs: the smallest n at which a probe with `misses` late
 * answers can still pass (the Wilson lower bound of (n - misses) / n reaches the target).
 * The default, no miss, is the smallest probe that can decide both ways,
 * n >= z^2 a / (1 - a): 0.9 -> 35, 0.95 -> 73, 0.99 -> 381; one miss: 53, 110, 563.
 */
export function probeQuestionsFor(attainment: number, misses = 0): number {
  let n = misses + 1;
  while (wilsonInterval(n - misses, n, Z95).low < attainment) n++;
  return n;
}

/** Questions at the start of a probe left out as warm-up: at least what the previous probe can still have in flight. */
export function probeWarmupFor(load: LoadSetting): number {
  return load.mode === 'closed' ? Math.max(4, load.concurrency) : Math.max(4, Math.ceil(3 * load.rate));
}

export function loadSetting(mode: SweepMode, load: number): LoadSetting {
  return mode === 'rate' ? { mode: 'open', rate: load } : { mode: 'closed', concurrency: load };
}

export function loadOf(setting: LoadSetting): { mode: SweepMode; load: number } {
  return setting.mode === 'open' ? { mode: 'rate', load: setting.rate } : { mode: 'concurrency', load: setting.concurrency };
}

/**
 * Over-saturated (open loop only; a closed loop cannot queue without bound): over at least
 * 20 measured arrivals, the backlog grew (least squares) by more than a fifth of the
 * arrival rate, and by at least 8 questions and a quarter of the arrivals from first to
 * last, i.e. questions arrive faster than they are answered. At twice the capacity that
 * shows after about 20 arrivals; a stable queue's bursts rarely reach it. It stops a
 * probe early, and fails a probe that was stopped so (one that ran its course is judged
 * by its attainment).
 */
export function isOverSaturated(figures: ProbeWindowFigures, mode: SweepMode): boolean {
  if (mode !== 'rate' || figures.backlogSlope === undefined || figures.issued < 20) return false;
  const rate = arrivalRate(figures);
  const growth = figures.backlogLast - figures.backlogFirst;
  return rate !== undefined && figures.backlogSlope > 0.2 * rate && growth >= Math.max(8, 0.25 * figures.issued);
}

/**
 * True when the probe's verdict is a fail whatever its remaining questions do: even with
 * every one still to come on time, the Wilson upper bound of the full probe stays below
 * the target. Exact, not a sequential test: it can stop a probe early without changing
 * its verdict.
 */
export function isCertainFail(figures: ProbeWindowFigures): boolean {
  const bestCase = figures.withinSlo + (figures.count - figures.done);
  return wilsonInterval(bestCase, figures.count, Z95).high < figures.attainment;
}

/**
 * Measured questions issued per second: n questions over the n gaps from the first to
 * the next question after them (exact for a closed loop releasing in bursts too), or
 * n - 1 gaps over the issue span when the probe stopped before that question came.
 */
export function arrivalRate(figures: ProbeWindowFigures): number | undefined {
  if (figures.tFirstIssue !== undefined && figures.tNextIssue !== undefined && figures.tNextIssue > figures.tFirstIssue) {
    return figures.issued / ((figures.tNextIssue - figures.tFirstIssue) / 1000);
  }
  if (figures.tFirstIssue === undefined || figures.tLastIssue === undefined || figures.issued < 2) return undefined;
  const spanS = (figures.tLastIssue - figures.tFirstIssue) / 1000;
  return spanS > 0 ? (figures.issued - 1) / spanS : undefined;
}

export interface ProbeResult {
  segment: number;
  policy: string;
  mode: SweepMode;
  load: number;
  verdict: Verdict;
  overSaturated: boolean;
  /** Measured questions judged: those issued, unanswered ones as SLO misses (only the answered ones when over-saturated). */
  questions: number;
  answered: number;
  /** Share of measured questions answered within every SLO, percent, with its Wilson interval. */
  attainment: Proportion;
  target: number;
  /** EM (percent, Wilson) and mean F1 over answered questions. */
  em: Proportion;
  f1?: number;
  /** Measured arrival rate, and answers / on-time answers / correct on-time answers per second. */
  arrivalRate?: number;
  throughput?: number;
  goodput?: number;
  correctWithinSloPerSec?: number;
  e2eP50?: number;
  e2eP99?: number;
  ttftP50?: number;
  ttftP99?: number;
  meanPowerW?: number;
  joulesPerCorrect?: number;
  qpsPerW?: number;
}

/** A probe's figures and verdict from its segment's summary (undefined for a segment that is not a probe). */
export function judgeProbe(segment: SegmentSummary): ProbeResult | undefined {
  const figures = segment.probe;
  if (!figures || !segment.load) return undefined;
  const { mode, load } = loadOf(segment.load);
  const stoppedEarly = figures.issued < figures.count;
  const overSaturated = stoppedEarly && isOverSaturated(figures, mode);
  const certainFail = stoppedEarly && isCertainFail(figures);
  // Unanswered measured questions count as misses (the driver waited past the SLO for them),
  // except when the probe was stopped early (over-saturated, or already failed): then only the answered count.
  const questions = overSaturated || certainFail ? figures.done : figures.issued;
  const answered = figures.done - figures.failed;
  const attainment = proportion(figures.withinSlo, questions);
  const target = figures.attainment;
  const interval = wilsonInterval(figures.withinSlo, questions, Z95);
  const verdict: Verdict = overSaturated || certainFail || interval.high < target ? 'fail' : interval.low >= target ? 'pass' : 'unresolved';
  const result: ProbeResult = {
    segment: segment.index,
    policy: segment.policy,
    mode,
    load,
    verdict,
    overSaturated,
    questions,
    answered,
    attainment,
    target,
    em: proportion(figures.correct, answered),
  };
  if (figures.f1 !== undefined) result.f1 = figures.f1;
  for (const key of ['e2eP50', 'e2eP99', 'ttftP50', 'ttftP99', 'meanPowerW'] as const) {
    const value = figures[key];
    if (value !== undefined) result[key] = value;
  }
  const rate = arrivalRate(figures);
  if (rate !== undefined && questions > 0) {
    result.arrivalRate = rate;
    result.throughput = (rate * answered) / questions;
    result.goodput = (rate * figures.withinSlo) / questions;
    result.correctWithinSloPerSec = (rate * figures.correctWithinSlo) / questions;
    const power = figures.meanPowerW;
    if (power !== undefined && power > 0) {
      result.qpsPerW = result.throughput / power;
      const correctPerSec = (rate * figures.correct) / questions;
      if (correctPerSec > 0) result.joulesPerCorrect = power / correctPerSec;
    }
  }
  return result;
}

function proportion(successes: number, n: number): Proportion {
  if (n <= 0) return { n: 0 };
  const { low, high } = wilsonInterval(successes, n, Z95);
  return { value: (100 * successes) / n, low: 100 * low, high: 100 * high, n };
}
