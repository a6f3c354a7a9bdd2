import { describe, expect, it } from 'vitest';
import { newHistogram, toMicros, type ExactTotals } from '../../../source/core/metrics/hdr.js';
import { differenceEstimate, quantileEstimate, rateEstimate, separation } from '../../../source/core/metrics/intervals.js';
import { LatencySeries } from '../../../source/core/metrics/latency-series.js';
import { SegmentModelTally } from '../../../source/core/metrics/segment-models.js';
import type { QueryRecord } from '../../../source/core/query.js';

function histogramOf(values: number[]) {
  const histogram = newHistogram();
  const totals: ExactTotals = { count: 0, sumUs: 0, minUs: Infinity, maxUs: -Infinity };
  for (const ms of values) {
    const us = toMicros(ms);
    histogram.recordValue(us);
    totals.count++;
    totals.sumUs += us;
    totals.minUs = Math.min(totals.minUs, us);
    totals.maxUs = Math.max(totals.maxUs, us);
  }
  return { histogram, totals };
}

describe('95% intervals', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('brackets a median by order statistics: ranks 50 -/+ 1.96 * sqrt(100 * 0.25) = 40 and 60', () => {
    const { histogram, totals } = histogramOf(oneToHundred);
    const e = quantileEstimate(histogram, totals, 0.5)!;
    expect(e.value).toBeCloseTo(50, 1);
    expect(e.low).toBeCloseTo(40, 1);
    expect(e.high).toBeCloseTo(60, 1);
  });

  it('leaves a p99 open above when the sample cannot reach its upper rank (ceil(99 + 1.95) = 101 > 100)', () => {
    const { histogram, totals } = histogramOf(oneToHundred);
    const e = quantileEstimate(histogram, totals, 0.99)!;
    expect(e.value).toBeCloseTo(99, 1);
    expect(e.low).toBeCloseTo(97, 1); // floor(99 - 1.95)
    expect(e.high).toBeUndefined();
    expect(quantileEstimate(newHistogram(), { count: 0, sumUs: 0, minUs: Infinity, maxUs: -Infinity }, 0.5)).toBeUndefined();
  });

  it('gives a rate a Poisson interval close to the exact one (100 events: 81.36-121.63), and none seen still an upper bound', () => {
    const e = rateEstimate(100, 50)!;
    expect(e.value).toBe(2);
    expect(e.low! * 50).toBeCloseTo(81.36, 1); // exact (chi-square) 81.36
    expect(e.high! * 50).toBeCloseTo(121.63, 1); // exact 121.63
    const none = rateEstimate(0, 10)!;
    expect(none.low).toBe(0);
    expect(none.high! * 10).toBeCloseTo(3.69, 1); // exact 3.689
    expect(rateEstimate(3, 0)).toBeUndefined();
  });

  it('combines both sides of a difference in quadrature and separates only when the interval excludes zero', () => {
    const d = differenceEstimate({ value: 40, low: 36, high: 44 }, { value: 30, low: 27, high: 33 });
    expect(d).toEqual({ value: -10, low: -15, high: -5 }); // hypot(3, 4) = 5 each side
    expect(separation(d)).toBe(-1);
    expect(separation(differenceEstimate({ value: 40, low: 30, high: 50 }, { value: 45, low: 40, high: 52 }))).toBe(0);
    const open = differenceEstimate({ value: 90, low: 80 }, { value: 95, low: 70 });
    expect(open).toEqual({ value: 5 }); // neither side has a high bound: open both ways
    expect(separation(open)).toBe(0);
  });
});

describe('per-model segment tally', () => {
  const rec = (over: Partial<QueryRecord>): QueryRecord => ({ tIssued: 0, tDone: 100, em: 1, ...over }) as QueryRecord;

  it('counts each model record once, failures apart, EM with a Wilson interval, and the escalated hits', () => {
    const tally = new SegmentModelTally();
    tally.add(rec({ tDone: 100, em: 1 }));
    tally.add(rec({ tDone: 200, em: 0 }));
    tally.add(rec({ tDone: 300, em: 1, escalated: true }));
    tally.add(rec({ tDone: 400, em: 0 }));
    tally.add(rec({ error: 'boom' }));
    const f = tally.figures(2);
    expect([f.completed, f.failed]).toEqual([4, 1]);
    expect(f.em!.value).toBe(50);
    // Wilson 2/4: centre (0.5 + 0.96) / 1.9604 = 0.5, half 1.96 * sqrt(0.0625 + 0.0600) / 1.9604 = 0.3497.
    expect(f.em!.low).toBeCloseTo(15.0, 0);
    expect(f.em!.high).toBeCloseTo(85.0, 0);
    expect(f.qps!.value).toBe(2); // 4 in 2 s
    expect(tally.escalatedHits).toBe(1);
    expect(f.e2eP50!.value).toBeCloseTo(200, 0);
  });
});

describe('latency trend', () => {
  it('gives p50/p99 of the 10 s windows ending every 5 s, the last ending at t', () => {
    const series = new LatencySeries();
    series.add(1000, 10);
    series.add(2000, 20);
    series.add(7000, 30);
    const trend = series.view(12_000).trend;
    expect(trend.stepMs).toBe(5000);
    expect(trend.p50).toHaveLength(12);
    // Ends ..., 5000 -> (-5 s, 5 s]: 10, 20; 10000 -> (0, 10 s]: 10, 20, 30; t = 12 s -> (2 s, 12 s]: 30.
    expect(trend.p50.slice(-3)).toEqual([10, 20, 30]);
    expect(trend.p99.slice(-3)).toEqual([20, 30, 30]);
    expect(trend.p50.slice(0, 9)).toEqual(new Array(9).fill(null));
    // A late value inside a window already computed is not missed.
    series.add(4000, 40);
    const again = series.view(12_000).trend;
    // The window ending at t comes from the HDR window stats (within 0.1%): (2 s, 12 s] holds 30 and 40.
    expect(again.p50.slice(-3).map((v) => Math.round(v!))).toEqual([20, 20, 30]);
    expect(again.p99.slice(-3).map((v) => Math.round(v!))).toEqual([40, 40, 40]);
  });
});

describe('tokens counted when they arrive', () => {
  it('merges a batch of arrival times into the series in time order, prefix sums intact', async () => {
    const { RateSeries } = await import('../../../source/core/metrics/rate-series.js');
    const series = new RateSeries();
    series.add(1000, 5);
    series.add(3000, 7);
    series.addMany([500, 1500, 2500, 3500], [1, 1, 2, 1]);
    // (0, 2000]: 500 (1), 1000 (5), 1500 (1); (2000, 4000]: 2500 (2), 3000 (7), 3500 (1).
    expect(series.between(0, 2000)).toEqual({ count: 3, tokens: 7 });
    expect(series.between(2000, 4000)).toEqual({ count: 3, tokens: 10 });
    expect(series.perSecond(4000, 4).tokens).toEqual([1 + 5, 1, 2 + 7, 1]);
  });

  it('spreads an answer over the seconds its tokens came in, not the second it finished', async () => {
    const { GroupAccumulator } = await import('../../../source/core/metrics/group.js');
    const group = new GroupAccumulator();
    // 6 tokens: 2 in each of the seconds (1, 2], (2, 3], (3, 4] s; the answer finishes at 4.5 s, in (4, 5].
    const record = { model: 'A', tIssued: 0, tEnqueued: 0, tStart: 100, tFirstToken: 1500, tEnd: 3900, tDone: 4500, outputTokens: 6, promptTokens: 10, tokenTimes: [1500, 1800, 2500, 2800, 3500, 3800] } as unknown as QueryRecord;
    group.addFinished(record, {}, true, []);
    const figures = group.figures({ start: 0, end: 5000 }, { estimated: false });
    expect(figures.throughput.tokensPerSecSeries.slice(-5)).toEqual([0, 2, 2, 2, 0]);
    expect(figures.throughput.qpsSeries.slice(-5)).toEqual([0, 0, 0, 0, 1]);
    expect(figures.throughput.tokensPerSec10s).toBeCloseTo(6 / 5, 9); // a 5 s old run: the window is 5 s
    // Chunks that carried several tokens count them all at the chunk's time.
    const packed = new GroupAccumulator();
    packed.addFinished({ ...record, tokenTimes: [1500, 3500], chunkTokens: [4, 2] } as QueryRecord, {}, true, []);
    expect(packed.figures({ start: 0, end: 5000 }, { estimated: false }).throughput.tokensPerSecSeries.slice(-5)).toEqual([0, 4, 0, 2, 0]);
  });
});
