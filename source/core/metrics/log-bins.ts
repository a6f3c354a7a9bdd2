import type { HistogramBin } from './snapshot.js';

/**
 * Fixed logarithmic latency bins: five per decade, edges at 10^(k/5) ms, the same for
 * every model, metric and moment. Two models' histograms then share their bins, and a
 * bin never moves between ticks; latency spans decades, so equal widths on a log axis
 * keep a slow tail from squeezing the body into one column.
 */
export const BINS_PER_DECADE = 5;

export function logBinIndex(ms: number): number {
  if (!(ms > 0)) return Number.NEGATIVE_INFINITY;
  // The epsilon keeps exact edges (10 ms, 100 ms) in the bin they open despite rounding.
  return Math.floor(Math.log10(ms) * BINS_PER_DECADE + 1e-9);
}

export function logBinEdge(index: number): number {
  return 10 ** (index / BINS_PER_DECADE);
}

/**
 * Counts of `valuesMs` in the fixed bins, from the first non-empty bin to the last.
 * Zero (a cached answer, a 0 ms queue wait) counts in the lowest drawn bin.
 */
export function logBins(valuesMs: Iterable<number>): HistogramBin[] {
  const counts = new Map<number, number>();
  let zeros = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const ms of valuesMs) {
    if (!(ms > 0)) {
      zeros++;
      continue;
    }
    const k = logBinIndex(ms);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  if (!Number.isFinite(lo)) {
    return zeros > 0 ? [{ fromMs: 0, toMs: 0, count: zeros }] : [];
  }
  const bins: HistogramBin[] = [];
  for (let k = lo; k <= hi; k++) bins.push({ fromMs: logBinEdge(k), toMs: logBinEdge(k + 1), count: counts.get(k) ?? 0 });
  bins[0]!.count += zeros;
  return bins;
}
