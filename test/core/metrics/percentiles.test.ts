import { describe, expect, it } from 'vitest';
import { HDR_SIGNIFICANT_DIGITS, newHistogram, percentilesFrom } from '../../../source/core/metrics/hdr.js';
import { LatencySeries } from '../../../source/core/metrics/latency-series.js';
import { nearestRank, percentilesOf } from '../../../source/core/metrics/percentiles.js';
import { seeded } from './fixtures.js';

describe('percentilesOf (sorted-array reference)', () => {
  it('uses nearest rank: rank ceil(p/100 * n)', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentilesOf(values)).toEqual({ count: 10, mean: 5.5, p50: 5, p90: 9, p95: 10, p99: 10, max: 10 });
    expect(nearestRank([1, 2, 3], 0)).toBe(1);
    expect(percentilesOf([])).toEqual({ count: 0 });
  });
});

describe('HDR-backed latency percentiles vs the sorted-array reference', () => {
  it(`agree within ${HDR_SIGNIFICANT_DIGITS} significant digits on 10,000 seeded values`, () => {
    const random = seeded(42);
    const series = new LatencySeries();
    const values: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      // Log-normal-ish latencies from ~1 ms to ~20 s, with microsecond resolution.
      const ms = Math.round(Math.exp(random() * 10) * 1000) / 1000;
      values.push(ms);
      series.add(i / 10, ms); // all within one second of each other: every window holds them all
    }
    const reference = percentilesOf(values);
    const view = series.view(1000);
    for (const stats of [view.run, view.last10s, view.last60s]) {
      expect(stats.count).toBe(10_000);
      expect(stats.max).toBe(reference.max);
      expect(stats.mean).toBeCloseTo(reference.mean!, 6);
      for (const key of ['p50', 'p90', 'p95', 'p99'] as const) {
        // 3 significant digits: within 1 part in 1000 of the value (plus the 1 µs unit).
        expect(Math.abs(stats[key]! - reference[key]!)).toBeLessThanOrEqual(reference[key]! * 1e-3 + 0.001);
      }
    }
  });
});

describe('percentilesFrom (one pass over the HDR counts)', () => {
  it('matches the library\'s getValueAtPercentile, with zeros and after removals', () => {
    const random = seeded(3);
    const histogram = newHistogram();
    const recorded: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const us = i % 50 === 0 ? 0 : Math.floor(random() ** 2 * 5_000_000);
      histogram.recordValue(us);
      recorded.push(us);
    }
    // Remove the smallest non-zero values, as a sliding window does: the library's min stays stale-low.
    const sorted = [...recorded].sort((a, b) => a - b);
    for (const us of sorted.slice(40, 400)) histogram.recordValueWithCount(us, -1);
    const total = histogram.totalCount;
    expect(total).toBe(2000 - 360);
    expect(percentilesFrom(histogram, total)).toEqual([50, 90, 95, 99].map((p) => histogram.getValueAtPercentile(p)));
  });
});
