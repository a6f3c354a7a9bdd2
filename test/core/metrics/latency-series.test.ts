import { describe, expect, it } from 'vitest';
import { LatencySeries } from '../../../source/core/metrics/latency-series.js';

describe('LatencySeries windows', () => {
  it('a value 11 s old leaves last10s but stays in last60s and the run', () => {
    const series = new LatencySeries();
    series.add(1000, 100);
    series.add(11_500, 300);
    const view = series.view(12_000); // 100 ms value is 11 s old, 300 ms value 0.5 s old
    expect(view.last10s).toMatchObject({ count: 1, mean: 300, max: 300, p50: 300 });
    expect(view.last60s).toMatchObject({ count: 2, mean: 200, max: 300 });
    expect(view.last60s.p50).toBeCloseTo(100, 1); // within HDR's 3 significant digits
    expect(view.run).toMatchObject({ count: 2, mean: 200, max: 300 });
  });

  it('window bounds are (t - width, t]: exactly 10 s old is out, just under is in', () => {
    const series = new LatencySeries();
    series.add(2000, 50);
    expect(series.view(12_000).last10s.count).toBe(0);
    expect(series.view(11_999).last10s.count).toBe(1);
    // A value completing after t is not in a window ending at t.
    expect(series.view(1999).last10s.count).toBe(0);
  });

  it('moving t back and forth gives the same figures as a fresh series', () => {
    const values: [number, number][] = [[0, 10], [3000, 20], [9000, 40], [15_000, 80], [70_000, 160]];
    const walked = new LatencySeries();
    const fresh = new LatencySeries();
    for (const [t, v] of values) {
      walked.add(t, v);
      fresh.add(t, v);
    }
    for (const t of [5000, 80_000, 16_000, 9500, 71_000]) walked.view(t);
    expect(walked.view(16_000)).toEqual(fresh.view(16_000));
    expect(walked.view(16_000).last60s).toMatchObject({ count: 4, mean: 37.5, max: 80 });
    expect(walked.view(16_000).last10s).toMatchObject({ count: 2, mean: 60 });
  });

  it('inserts a late value in time order, inside or outside the current window', () => {
    const series = new LatencySeries();
    series.add(20_000, 100);
    series.view(20_000);
    series.add(15_000, 50); // late, inside (10 s, 20 s]
    series.add(5000, 999); // late, outside the 10 s window
    const view = series.view(20_000);
    expect(view.last10s).toMatchObject({ count: 2, mean: 75, max: 100 });
    expect(view.last60s).toMatchObject({ count: 3, max: 999 });
    expect(view.run.count).toBe(3);
  });

  it('keeps exact windows after pruning old entries, and the run keeps everything', () => {
    const series = new LatencySeries();
    // 10 values per second for 400 s: entries older than 120 s get pruned in batches.
    for (let i = 0; i < 4000; i++) series.add(i * 100, (i % 10) + 1);
    const view = series.view(399_900);
    expect(view.run.count).toBe(4000);
    expect(view.last10s).toMatchObject({ count: 100, mean: 5.5, max: 10 });
    expect(view.last10s.p50).toBeCloseTo(5, 2); // HDR: 5 ms lands in a 4 µs-wide bucket
    expect(view.last60s.count).toBe(600);
  });

  it('ignores negative and non-finite values (clock glitches) instead of recording them', () => {
    const series = new LatencySeries();
    series.add(0, -1);
    series.add(0, Number.NaN);
    series.add(0, 0);
    expect(series.view(0).run).toMatchObject({ count: 1, max: 0 });
  });
});

describe('LatencySeries live-histogram bins', () => {
  it('counts the last 10 s in fixed log bins, five per decade (edges 10^(k/5) ms), first to last non-empty', () => {
    const series = new LatencySeries();
    for (const v of [10, 15, 20, 30, 110]) series.add(1000, v);
    const bins = series.view(1000).bins10s;
    // 10 and 15 fall in [10, 15.85), 20 in [15.85, 25.1), 30 in [25.1, 39.8), 110 in [100, 158.5).
    expect(bins.map((b) => b.count)).toEqual([2, 1, 1, 0, 0, 1]);
    expect(bins[0]!.fromMs).toBeCloseTo(10, 9);
    expect(bins[0]!.toMs).toBeCloseTo(15.849, 3);
    expect(bins[5]!.fromMs).toBeCloseTo(100, 9);
    expect(bins[5]!.toMs).toBeCloseTo(158.489, 3);
  });

  it('gives two series the same edges, whatever their ranges', () => {
    const a = new LatencySeries();
    const b = new LatencySeries();
    for (const v of [40, 45, 50]) a.add(0, v);
    for (const v of [300, 3000]) b.add(0, v);
    const edges = [...a.view(0).bins10s, ...b.view(0).bins10s].flatMap((bin) => [bin.fromMs, bin.toMs]);
    for (const edge of edges) {
      const k = Math.log10(edge) * 5;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9);
    }
    // 40-50 ms: bins 8 (39.8-63.1); 300 ms and 3 s: bins 12 and 17, with the empty ones between.
    expect(a.view(0).bins10s.map((bin) => bin.count)).toEqual([3]);
    expect(b.view(0).bins10s.map((bin) => bin.count)).toEqual([1, 0, 0, 0, 0, 1]);
  });

  it('one bin when every value is equal, none when the window is empty', () => {
    const series = new LatencySeries();
    series.add(0, 7);
    series.add(0, 7);
    const [bin, ...rest] = series.view(0).bins10s;
    expect(rest).toEqual([]);
    expect(bin!.count).toBe(2);
    expect(bin!.fromMs).toBeCloseTo(6.3096, 3); // 10^0.8
    expect(bin!.toMs).toBeCloseTo(10, 9);
    expect(series.view(60_000).bins10s).toEqual([]);
  });
});
