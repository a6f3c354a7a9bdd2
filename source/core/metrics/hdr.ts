import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencyStats } from './snapshot.js';

/**
 * HdrHistogram settings shared by every latency figure. Values are recorded as integer
 * microseconds with 3 significant digits: a reported percentile is within 0.1% (plus
 * 1 µs) of the exact nearest-rank value. The histogram resizes itself, so there is no
 * upper bound to configure.
 */
export const HDR_SIGNIFICANT_DIGITS = 3;

export function newHistogram(): Histogram {
  return build({ numberOfSignificantValueDigits: HDR_SIGNIFICANT_DIGITS, autoResize: true, useWebAssembly: false });
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

/**
 * Percentiles come from the histogram, clamped to the exact min/max so that a single
 * value reads back as itself and p99 never exceeds max; count, mean and max are exact.
 */
export function statsFrom(histogram: Histogram, totals: ExactTotals): LatencyStats {
  if (totals.count === 0) return { count: 0 };
  const at = (p: number) => Math.min(totals.maxUs, Math.max(totals.minUs, histogram.getValueAtPercentile(p))) / 1000;
  return {
    count: totals.count,
    mean: totals.sumUs / totals.count / 1000,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    max: totals.maxUs / 1000,
  };
}
