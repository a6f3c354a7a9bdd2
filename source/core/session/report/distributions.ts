/**
 * Latency distributions computed from the log's records (exact values, not the store's
 * HDR bins): a histogram and an empirical CDF per model and metric, for the report charts.
 */
import type { ModelSlot } from '../../engines/engine.js';
import { latencyValuesOf } from '../../metrics/latency-values.js';
import { percentilesOf, type PercentileFigures } from '../../metrics/percentiles.js';
import type { QueryRecord } from '../../query.js';

export const DISTRIBUTION_METRICS = ['ttft', 'tpot', 'e2e'] as const;
export type DistributionMetric = (typeof DISTRIBUTION_METRICS)[number];

export interface Distribution {
  stats: PercentileFigures;
  /** Equal-width bins from the smallest to the largest value. */
  bins: { fromMs: number; toMs: number; count: number }[];
  /** Empirical CDF: [ms, fraction 0-1] at (at most MAX_CDF_POINTS) sorted values. */
  cdf: [number, number][];
}

const BIN_COUNT = 30;
const MAX_CDF_POINTS = 200;

/** Finished, measured records (no warm-up, no failure): the ones figures are made of. */
export function measuredRecords(records: readonly QueryRecord[]): QueryRecord[] {
  return records.filter((r) => !r.warmup && r.error === undefined && r.timedOut !== true);
}

export function distributionsOf(records: readonly QueryRecord[]): Record<ModelSlot, Record<DistributionMetric, Distribution>> {
  const values = (slot: ModelSlot, metric: DistributionMetric) =>
    records.filter((r) => r.model === slot).flatMap((r) => latencyValuesOf(r)[metric] ?? []);
  const of = (slot: ModelSlot) => Object.fromEntries(DISTRIBUTION_METRICS.map((m) => [m, distribution(values(slot, m))])) as Record<DistributionMetric, Distribution>;
  return { A: of('A'), B: of('B') };
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { stats: percentilesOf(sorted), bins: binsOf(sorted), cdf: cdfOf(sorted) };
}

function binsOf(sorted: readonly number[]): Distribution['bins'] {
  if (sorted.length === 0) return [];
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const width = max > min ? (max - min) / BIN_COUNT : 1;
  const bins = Array.from({ length: max > min ? BIN_COUNT : 1 }, (_, i) => ({ fromMs: min + i * width, toMs: min + (i + 1) * width, count: 0 }));
  for (const value of sorted) bins[Math.min(bins.length - 1, Math.floor((value - min) / width))]!.count++;
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
