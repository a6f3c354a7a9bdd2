import type { JsHistogram } from 'hdr-histogram-js';
import type { ExactTotals } from './hdr.js';
import type { Estimate } from './snapshot.js';

/**
 * 95% intervals for the figures an A/B comparison rests on, and for their differences.
 * Percentiles: distribution-free, from order statistics (the ranks nq ± 1.96·sqrt(nq(1-q))
 * bracket the true quantile with 95% probability); a bound the sample cannot reach (p99
 * of 40 answers has no upper one) stays undefined, i.e. open. Rates: a Poisson count.
 */

export const Z95 = 1.96;

export type { Estimate };

/** The q-quantile (0-1) of a histogram's values with its 95% interval. */
export function quantileEstimate(histogram: JsHistogram, totals: ExactTotals, q: number): Estimate | undefined {
  const n = totals.count;
  if (n === 0) return undefined;
  const at = (rank: number) => {
    // Nearest rank r is the value at percentile 100 (r - 0.5) / n; clamp to the exact extremes.
    const us = histogram.getValueAtPercentile((100 * (rank - 0.5)) / n);
    return Math.min(totals.maxUs, Math.max(totals.minUs, us)) / 1000;
  };
  const spread = Z95 * Math.sqrt(n * q * (1 - q));
  const lowRank = Math.floor(n * q - spread);
  const highRank = Math.ceil(n * q + spread);
  return {
    value: at(Math.max(1, Math.ceil(n * q))),
    ...(lowRank >= 1 ? { low: at(lowRank) } : {}),
    ...(highRank <= n ? { high: at(highRank) } : {}),
  };
}

/**
 * Events per second for `count` events in `seconds`, with a 95% Poisson interval
 * (Wilson-Hilferty, within 1% of the exact one from a single event up; for none it
 * still has an upper bound, ~3.7 events, rather than collapsing to [0, 0]).
 */
export function rateEstimate(count: number, seconds: number): Estimate | undefined {
  if (!(seconds > 0)) return undefined;
  const cube = (c: number, sign: number) => c * (1 - 1 / (9 * c) + (sign * Z95) / (3 * Math.sqrt(c))) ** 3;
  const low = count > 0 ? cube(count, -1) : 0;
  const high = cube(count + 1, 1);
  return { value: count / seconds, low: low / seconds, high: high / seconds };
}

/**
 * cur - prev with a 95% interval: each side's half-widths combined in quadrature (the
 * two segments are independent samples). Open when either side is open where it matters.
 */
export function differenceEstimate(prev: Estimate, cur: Estimate): Estimate {
  const value = cur.value - prev.value;
  const down = cur.low === undefined || prev.high === undefined ? undefined : Math.hypot(cur.value - cur.low, prev.high - prev.value);
  const up = cur.high === undefined || prev.low === undefined ? undefined : Math.hypot(cur.high - cur.value, prev.value - prev.low);
  return { value, ...(down === undefined ? {} : { low: value - down }), ...(up === undefined ? {} : { high: value + up }) };
}

/** +1 or -1 when the interval lies wholly above or below zero, 0 while it holds zero (or is open toward it). */
export function separation(delta: Estimate): number {
  if (delta.low !== undefined && delta.low > 0) return 1;
  if (delta.high !== undefined && delta.high < 0) return -1;
  return 0;
}
