/**
 * Latency distributions computed from the log's records (exact values, not the store's
 * HDR bins): a histogram and an empirical CDF per model and metric, for the report charts.
 * The histogram uses the live screen's fixed log bins over the range of both models, so
 * A's and B's bars share their bins and can be read against one log axis.
 */
import type { ModelSlot } from '../../engines/engine.js';
import { latencyValuesOf } from '../../metrics/latency-values.js';
import { logBinEdge, logBinIndex } from '../../metrics/log-bins.js';
import { percentilesOf, type PercentileFigures } from '../../metrics/percentiles.js';
import type { QueryRecord } from '../../query.js';

export const DISTRIBUTION_METRICS = ['ttft', 'tpot', 'e2e'] as const;
export type DistributionMetric = (typeof DISTRIBUTION_METRICS)[number];

export interface Distribution {
  stats: PercentileFigures;
  /** Fixed log bins (five per decade) over both models' range; zeros count in the first. */
  bins: { fromMs: number; toMs: number; count: number }[];
  /** Empirical CDF: [ms, fraction 0-1] at (at most MAX_CDF_POINTS) sorted values. */
  cdf: [number, number][];
}

const MAX_CDF_POINTS = 200;

/** Finished, measured records (no warm-up, no failure): the ones figures are made of. */
export function measuredRecords(records: readonly QueryRecord[]): QueryRecord[] {
  return records.filter((r) => !r.warmup && r.error === undefined && r.timedOut !== true);
}

export function distributionsOf(records: readonly QueryRecord[]): Record<ModelSlot, Record<DistributionMetric, Distribution>> {
  const values = (slot: ModelSlot, metric: DistributionMetric) =>
    records.filter((r) => r.model === slot).flatMap((r) => latencyValuesOf(r)[metric] ?? []);
  const result = { A: {}, B: {} } as Record<ModelSlot, Record<DistributionMetric, Distribution>>;
  for (const metric of DISTRIBUTION_METRICS) {
    const a = values('A', metric);
    const b = values('B', metric);
    const range = binRange([...a, ...b]);
    result.A[metric] = distribution(a, range);
    result.B[metric] = distribution(b, range);
  }
  return result;
}

/** First and last log-bin index holding any of the values (undefined without a positive value). */
export function binRange(values: readonly number[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0)) continue;
    const k = logBinIndex(v);
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  return Number.isFinite(lo) ? [lo, hi] : undefined;
}

/** `range`: the bins to count in (both models' range); by default the values' own. */
export function distribution(values: readonly number[], range = binRange(values)): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { stats: percentilesOf(sorted), bins: binsOf(sorted, range), cdf: cdfOf(sorted) };
}

function binsOf(sorted: readonly number[], range: [number, number] | undefined): Distribution['bins'] {
  if (sorted.length === 0) return [];
  if (!range) return [{ fromMs: 0, toMs: 0, count: sorted.length }];
  const [lo, hi] = range;
  const bins = Array.from({ length: hi - lo + 1 }, (_, i) => ({ fromMs: logBinEdge(lo + i), toMs: logBinEdge(lo + i + 1), count: 0 }));
  for (const value of sorted) bins[value > 0 ? Math.min(hi, Math.max(lo, logBinIndex(value))) - lo : 0]!.count++;
  return bins;
}

function cdfOf(sorted: readonly number[]): [number, number][] {
  const n = sorted.length;
  if (n === 0) return [];
  const step = Math.max(1, Math.ceil(n / MAX_CDF_POINTS));
  const points: [number, number][] = [];
  for (let i = step - 1; i < n; i += step) points.push([sorted[i]!, (i + 1) / n]);
  if (points[points.length - 1]![1] !== 1) points.push([sorted[n - 1]!, 1]);
  return points;
}
