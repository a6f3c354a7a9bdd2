import { describe, expect, it } from 'vitest';
import { Histogram } from '../../source/app/components/Histogram.js';
import { barRows, layoutHistogram, markerColumn, trimBins } from '../../source/app/histogram.js';
import { bins } from './fixtures.js';
import { renderAt } from './render.js';

describe('histogram geometry', () => {
  it('spreads 10 bins of 10 ms evenly over 40 columns', () => {
    const g = layoutHistogram(bins(10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 40)!;
    expect(g.columns.slice(0, 8)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(g.columns.slice(36)).toEqual([10, 10, 10, 10]);
    expect([g.fromMs, g.toMs]).toEqual([0, 100]);
  });

  it('sums neighbouring bins when there are more bins than columns', () => {
    const g = layoutHistogram(bins(1, new Array(100).fill(1)), 10)!;
    expect(g.columns).toEqual(new Array(10).fill(10));
  });

  it('places percentile markers by interpolating inside their bin', () => {
    const g = layoutHistogram(bins(10, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 40)!;
    expect(markerColumn(g, 45, 40)).toBe(18); // bin 4, half way: 4.5 / 10 * 40
    expect(markerColumn(g, 85, 40)).toBe(34);
    expect(markerColumn(g, 97, 40)).toBe(38);
    expect(markerColumn(g, 0, 40)).toBe(0);
    expect(markerColumn(g, 5000, 40)).toBe(39); // beyond the last bin: clamped
  });

  it('trims empty bins at both ends but keeps a percentile that falls outside the data', () => {
    const all = bins(100, [0, 0, 3, 5, 0, 0, 0, 0]);
    expect(trimBins(all).map((b) => b.fromMs)).toEqual([200, 300]);
    expect(trimBins(all, [650]).map((b) => b.fromMs)).toEqual([200, 300, 400, 500, 600]);
    expect(layoutHistogram(bins(10, [0, 0]), 10)).toBeUndefined();
  });

  it('draws bars in eighths, the tallest column full height, and every non-empty column visible', () => {
    expect(barRows([8, 4, 1, 0], 1)).toEqual(['█▄▁ ']);
    expect(barRows([8, 4, 0], 2)).toEqual(['█  ', '██ ']);
    expect(barRows([1000, 1], 2)[1]).toBe('█▁');
  });
});

describe('<Histogram>', () => {
  it('puts the bars and the p50/p90/p99 markers at the right columns', () => {
    const data = bins(10, [0, 0, 2, 4, 8, 4, 2, 1, 0, 1, 0, 0]); // trimmed to 20..100 ms: 8 bins
    const { lines, unmount } = renderAt(<Histogram bins={data} stats={{ count: 22, p50: 45, p90: 72.5, p99: 95 }} width={32} rows={4} />, { columns: 32 });
    const out = lines();
    expect(out).toHaveLength(6);
    // 8 bins over 32 columns: 4 columns per bin; the 8-count bin (40-50 ms) is columns 8-11, full height.
    expect(out[0]!.slice(8, 12)).toBe('████');
    expect(out[0]!.slice(0, 8).trim()).toBe('');
    expect(out[3]!.slice(0, 4)).toBe('████'); // 20-30 ms: 2 of 8 = one full row of four
    expect(out[3]!.slice(24, 28).trim()).toBe(''); // 80-90 ms is empty
    expect(out[3]!.slice(28, 32)).toBe('▄▄▄▄'); // 90-100 ms: 1 of 8 -> half of the bottom row
    const markers = [...out[4]!].flatMap((ch, i) => (ch === '▲' ? [i] : []));
    // p50 45 ms -> bin 2 (40-50) + 0.5 -> 2.5 * 4 = 10; p90 72.5 -> 5.25 * 4 = 21; p99 95 -> 7.5 * 4 = 30.
    expect(markers).toEqual([10, 21, 30]);
    expect(out[5]).toMatch(/^20ms\s+100ms$/);
    unmount();
  });

  it('says so when the window is empty instead of drawing a zero histogram', () => {
    const { lastFrame, unmount } = renderAt(<Histogram bins={bins(10, [0, 0, 0])} stats={{ count: 0 }} width={40} rows={3} />, { columns: 40 });
    expect(lastFrame()).toContain('no requests finished in the last 10 s');
    expect(lastFrame()).not.toContain('▲');
    unmount();
  });
});
