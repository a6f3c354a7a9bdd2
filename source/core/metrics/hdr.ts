import { Int32Histogram, type JsHistogram } from 'hdr-histogram-js';
import type { LatencyStats } from './snapshot.js';

/**
 * HdrHistogram settings shared by every latency figure. Values are recorded as integer
 * microseconds with 3 significant digits: a reported percentile is within 0.1% (plus
 * 1 µs) of the exact nearest-rank value. The histogram resizes itself, so there is no
 * upper bound to configure.
 */
export const HDR_SIGNIFICANT_DIGITS = 3;

export function newHistogram(): JsHistogram {
  const histogram = new Int32Histogram(1, 2, HDR_SIGNIFICANT_DIGITS);
  histogram.autoResize = true;
  return histogram;
}

export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
}

/** Exact figures kept beside a histogram (the histogram itself only knows buckets). */
export interface ExactTotals {
  count: number;
  sumUs: number;
  minUs: number;
  maxUs: number;
}

const PERCENTILES = [50, 90, 95, 99] as const;

/**
 * The histogram's values at p50/p90/p95/p99 in one pass over its counts, with exactly
 * the semantics of getValueAtPercentile (nearest rank, highest equivalent value), which
 * scans from zero once per call: four calls on ~60 histograms ten times a second was
 * the snapshot's whole cost. The scan starts at the smallest recorded non-zero value
 * (a lower bound even after removals, which never raise it).
 */
export function percentilesFrom(histogram: JsHistogram, total: number): number[] {
  const targets = PERCENTILES.map((p) => {
    const fp = (p / 100) * total;
    return Math.max(Math.ceil(fp - ulp(fp)), 1);
  });
  const values: number[] = [];
  let cumulative = histogram.getCountAtIndex(0);
  let next = 0;
  while (next < targets.length && cumulative >= targets[next]!) {
    values.push(0);
    next++;
  }
  const length = histogram.countsArrayLength;
  for (let i = Math.max(1, histogram.countsArrayIndex(histogram.minNonZeroValue)); i < length && next < targets.length; i++) {
    cumulative += histogram.getCountAtIndex(i);
    while (next < targets.length && cumulative >= targets[next]!) {
      values.push(histogram.highestEquivalentValue(histogram.valueFromIndex(i)));
      next++;
    }
  }
  return values;
}

function ulp(x: number): number {
  return x > 0 ? 2 ** (Math.floor(Math.log2(x)) - 52) : 0;
}

/**
 * Percentiles come from the histogram, clamped to the exact min/max so that a single
 * value reads back as itself and p99 never exceeds max; count, mean and max are exact.
 */
export function statsFrom(histogram: JsHistogram, totals: ExactTotals): LatencyStats {
  if (totals.count === 0) return { count: 0 };
  const clamp = (us: number | undefined) => Math.min(totals.maxUs, Math.max(totals.minUs, us ?? totals.maxUs)) / 1000;
  const [p50, p90, p95, p99] = percentilesFrom(histogram, totals.count);
  return {
    count: totals.count,
    mean: totals.sumUs / totals.count / 1000,
    p50: clamp(p50),
    p90: clamp(p90),
    p95: clamp(p95),
    p99: clamp(p99),
    max: totals.maxUs / 1000,
  };
}
