import type { ModelSlot } from '../engines/engine.js';

/**
 * Energy arithmetic, pure. Power readings are device power (what the source reports:
 * NPU/GPU board or CPU package power), never wall power.
 */

export interface PowerPoint {
  /** Run clock (ms). */
  t: number;
  powerW: number;
}

export interface EnergyIntegral {
  joules: number;
  /** Readings inside [from, to]. */
  samples: number;
  /** Milliseconds of [from, to] the integral covers (gaps and unreached edges excluded). */
  coveredMs: number;
}

export interface IntegrateOptions {
  /** Longest stretch bridged between readings; default 3x the median reading interval. */
  maxGapMs?: number;
}

/** How many median intervals a gap may span and still be bridged. */
export const GAP_FACTOR = 3;

/** Sorted by time; readings sharing a timestamp are merged into their mean (so input order never matters). */
export function normalisePoints(points: readonly PowerPoint[]): PowerPoint[] {
  const valid = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.powerW));
  let sorted = true;
  for (let i = 1; i < valid.length && sorted; i++) sorted = valid[i - 1]!.t < valid[i]!.t;
  if (sorted) return valid;
  const ordered = [...valid].sort((a, b) => a.t - b.t || a.powerW - b.powerW);
  const merged: PowerPoint[] = [];
  let i = 0;
  while (i < ordered.length) {
    let j = i;
    let sum = 0;
    while (j < ordered.length && ordered[j]!.t === ordered[i]!.t) sum += ordered[j++]!.powerW;
    merged.push({ t: ordered[i]!.t, powerW: sum / (j - i) });
    i = j;
  }
  return merged;
}

/** Median gap between consecutive (normalised) readings; undefined with fewer than two. */
export function medianInterval(points: readonly PowerPoint[]): number | undefined {
  if (points.length < 2) return undefined;
  const gaps = new Float64Array(points.length - 1);
  for (let i = 1; i < points.length; i++) gaps[i - 1] = points[i]!.t - points[i - 1]!.t;
  gaps.sort();
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/**
 * Energy (J) over [from, to] by the trapezoid rule, counting only what lies inside the
 * window (MLPerf's power rules: warm-up and cool-down excluded). At a window edge that
 * falls between two readings the power is interpolated linearly. Rules for what is not
 * known:
 *  - a gap between readings longer than maxGapMs (default 3x the median interval: a
 *    source that hung or died) is not bridged: it adds neither joules nor coveredMs;
 *  - before the first reading and after the last one, the nearest reading is held when
 *    the stretch to the window's edge is at most maxGapMs (a 1 s sampler cannot have a
 *    reading exactly at the edges); a longer stretch is not covered at all, like a gap;
 *  - duplicate timestamps are averaged, out-of-order readings are sorted.
 * Callers wanting the whole window's energy despite gaps scale by (to - from) / coveredMs.
 */
export function integrateEnergy(points: readonly PowerPoint[], from: number, to: number, options: IntegrateOptions = {}): EnergyIntegral {
  const series = normalisePoints(points);
  const result: EnergyIntegral = { joules: 0, samples: 0, coveredMs: 0 };
  if (series.length === 0 || !(to > from)) return result;
  for (const point of series) if (point.t >= from && point.t <= to) result.samples++;
  const median = medianInterval(series);
  const maxGap = options.maxGapMs ?? (median === undefined ? 0 : GAP_FACTOR * median);

  const addStretch = (a: number, pa: number, b: number, pb: number) => {
    result.joules += ((pa + pb) / 2) * ((b - a) / 1000);
    result.coveredMs += b - a;
  };

  for (let i = 1; i < series.length; i++) {
    const left = series[i - 1]!;
    const right = series[i]!;
    const a = Math.max(left.t, from);
    const b = Math.min(right.t, to);
    if (b <= a || right.t - left.t > maxGap) continue;
    const slope = (right.powerW - left.powerW) / (right.t - left.t);
    addStretch(a, left.powerW + slope * (a - left.t), b, left.powerW + slope * (b - left.t));
  }

  const first = series[0]!;
  if (first.t > from && first.t - from <= maxGap) {
    const b = Math.min(first.t, to);
    addStretch(from, first.powerW, b, first.powerW);
  }
  const last = series[series.length - 1]!;
  if (last.t < to && to - last.t <= maxGap) {
    const a = Math.max(last.t, from);
    addStretch(a, last.powerW, to, last.powerW);
  }
  return result;
}

/**
 * Splits one shared device's energy between the models by their busy time (each model's
 * union of [tStart, tEnd] intervals). Overlapping busy time counts for both, so shares
 * are busyA / (busyA + busyB). With no busy time at all the energy is split evenly.
 * This is an estimate: the device does not report per-model power.
 */
export function splitByBusyTime(joules: number, busyMs: Record<ModelSlot, number>): Record<ModelSlot, number> {
  const a = Math.max(0, busyMs.A);
  const b = Math.max(0, busyMs.B);
  if (a + b === 0) return { A: joules / 2, B: joules / 2 };
  return { A: (joules * a) / (a + b), B: (joules * b) / (a + b) };
}

export interface EnergyInputs {
  joules: number;
  completed: number;
  correct: number;
  outputTokens: number;
  durationS: number;
}

export interface EnergyRatios {
  meanPowerW?: number;
  /** (completed / durationS) / meanPowerW, which is completed / joules. */
  qpsPerW?: number;
  joulesPerQuery?: number;
  joulesPerCorrect?: number;
  tokensPerJoule?: number;
}

/** The study's efficiency figures; each is undefined where its denominator is 0. */
export function energyFigures({ joules, completed, correct, outputTokens, durationS }: EnergyInputs): EnergyRatios {
  const ratio = (num: number, den: number) => (den > 0 && Number.isFinite(num) ? num / den : undefined);
  const meanPowerW = ratio(joules, durationS);
  const qps = ratio(completed, durationS);
  return {
    meanPowerW,
    qpsPerW: qps !== undefined && meanPowerW !== undefined ? ratio(qps, meanPowerW) : undefined,
    joulesPerQuery: ratio(joules, completed),
    joulesPerCorrect: ratio(joules, correct),
    tokensPerJoule: ratio(outputTokens, joules),
  };
}
