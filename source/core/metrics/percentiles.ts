import type { LatencyStats } from './snapshot.js';

/**
 * Sorted-array percentiles: the reference the HDR-backed figures are checked against
 * (and handy for small one-off computations). Nearest-rank definition, the same one
 * HdrHistogram uses: the p-th percentile is the value at rank ceil(p/100 * n) (1-based).
 */
/** The same figures the snapshot reports for a latency window. */
export type PercentileFigures = LatencyStats;

export function nearestRank(sorted: readonly number[], percentile: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function percentilesOf(values: readonly number[]): PercentileFigures {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { count: 0 };
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}
