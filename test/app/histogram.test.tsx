import { describe, expect, it } from 'vitest';
import { Histogram } from '../../source/app/components/Histogram.js';
import { axisLine, axisX, barRows, columnCounts, decadeLabel, markerColumn, sharedAxis } from '../../source/app/histogram.js';
import { latencyView, logBins } from './fixtures.js';
import { renderAt } from './render.js';

describe('shared log axis', () => {
  it('spans whole decades from below a fifth of the faster median to above the slowest value, for both models', () => {
    // A: p50 45 ms, max 3.5 s; B: p50 1.2 s, max 12.5 s -> 45 / 5 = 9 ms -> 1 ms; 12.5 s -> 100 s.
    const a = latencyView({}, { p50: 45, max: 3500 });
    const b = latencyView({}, { p50: 1200, max: 12_500 });
    expect(sharedAxis([a, b])).toEqual({ lo: 0, hi: 5 });
    expect(sharedAxis([b, a])).toEqual({ lo: 0, hi: 5 });
    // At least two decades: p50 = max = 200 ms -> 40 ms -> 10 ms .. 1 s.
    expect(sharedAxis([latencyView({}, { p50: 200, max: 200 })])).toEqual({ lo: 1, hi: 3 });
    expect(sharedAxis([latencyView({}, { count: 0, p50: undefined, max: undefined })])).toBeUndefined();
  });

  it('places values by their logarithm: a decade is the same width everywhere', () => {
    const axis = { lo: 0, hi: 4 };
    expect(axisX(axis, 1, 40)).toBe(0);
    expect(axisX(axis, 10, 40)).toBeCloseTo(10, 9);
    expect(axisX(axis, 1000, 40)).toBeCloseTo(30, 9);
    expect(axisX(axis, 0.01, 40)).toBe(0); // below the axis: clamped
    expect(axisX(axis, 1e6, 40)).toBe(40);
    expect(markerColumn(axis, 10_000, 40)).toBe(39);
    expect(markerColumn(axis, 100, 40)).toBe(20);
  });

  it('fills the columns a bin covers, and puts a bin too narrow for a column centre in the column it falls in', () => {
    const axis = { lo: 0, hi: 2 };
    // Bin [10^1.0, 10^1.2) over 20 columns: x 10..12 -> centres 10.5 and 11.5 -> columns 10, 11.
    const one = columnCounts(logBins(5, [3], 5), axis, 20);
    expect(one.flatMap((c, i) => (c > 0 ? [[i, c]] : []))).toEqual([[10, 3], [11, 3]]);
    // On 4 columns the bins [10, 15.8) and [15.8, 25.1) span x 2.0..2.4 and 2.4..2.8: the first covers
    // no column centre (2.5 is past it) and falls in column 2; the second covers centre 2.5.
    expect(columnCounts(logBins(5, [2, 4], 5), axis, 4)).toEqual([0, 0, 6, 0]);
  });

  it('labels each decade at its tick, the last one right-aligned', () => {
    expect(decadeLabel(-1)).toBe('0.1ms');
    expect(decadeLabel(0)).toBe('1ms');
    expect(decadeLabel(2)).toBe('100ms');
    expect(decadeLabel(3)).toBe('1s');
    expect(decadeLabel(5)).toBe('100s');
    expect(axisLine({ lo: 1, hi: 4 }, 30)).toBe('10ms      100ms     1s     10s');
  });

  it('draws bars in eighths, the tallest column full height, and every non-empty column visible', () => {
    expect(barRows([8, 4, 1, 0], 1)).toEqual(['█▄▁ ']);
    expect(barRows([8, 4, 0], 2)).toEqual(['█  ', '██ ']);
    expect(barRows([1000, 1], 2)[1]).toBe('█▁');
  });
});

describe('<Histogram>', () => {
  it('puts both models on the same columns: equal values, equal places, whatever else each holds', () => {
    const axis = { lo: 1, hi: 4 }; // 10 ms .. 10 s over 30 columns: 10 columns a decade, 2 a bin
    const fast = logBins(5, [4, 8], 8); // 39.8-63.1 ms and 63.1-100 ms
    const slow = logBins(5, [8, 0, 0, 0, 0, 1], 8); // the same first bin, and one at 398-631 ms
    const a = renderAt(<Histogram bins={fast} stats={{ count: 12, p50: 70, p90: 90, p99: 95 }} axis={axis} width={30} rows={2} />, { columns: 30 });
    const b = renderAt(<Histogram bins={slow} stats={{ count: 9, p50: 50, p90: 60, p99: 900 }} axis={axis} width={30} rows={2} />, { columns: 30 });
    const [aTop, aBottom, aMarks, aAxis] = a.lines();
    const [bTop, bBottom, bMarks] = b.lines();
    // 39.8 ms is x = (log10(39.8) - 1) * 10 = 6: columns 6-7, then 8-9.
    expect(aBottom!.slice(6, 10)).toBe('████');
    expect(aTop!.slice(8, 10)).toBe('██');
    expect(aTop!.slice(6, 8)).toBe('  '); // 4 of 8
    expect(bBottom!.slice(6, 8)).toBe('██');
    expect(bTop!.slice(6, 8)).toBe('██'); // B's tallest
    expect(bBottom!.slice(16, 18)).toBe('▂▂'); // x 16-18; 1 of 8 in 2 rows: round(1/8 * 16) = 2 eighths
    // Markers: p50 70 ms -> x 8.45 -> column 8; 90 ms -> 9.54 -> 9; 95 ms -> 9.78 -> 9 (p99 wins).
    expect([...aMarks!].flatMap((ch, i) => (ch === '▲' ? [i] : []))).toEqual([8, 9]);
    // B: 50 ms -> 6.99 -> 6; 60 ms -> 7.78 -> 7; 900 ms -> 19.54 -> 19.
    expect([...bMarks!].flatMap((ch, i) => (ch === '▲' ? [i] : []))).toEqual([6, 7, 19]);
    expect(aMarks!.endsWith('█=8')).toBe(true); // the count a full column stands for
    expect(bMarks!.endsWith('█=8')).toBe(true);
    expect(aAxis).toBe('10ms      100ms     1s     10s');
    a.unmount();
    b.unmount();
  });

  it('says so when the window is empty instead of drawing a zero histogram', () => {
    const { lastFrame, unmount } = renderAt(<Histogram bins={[]} stats={{ count: 0 }} axis={{ lo: 0, hi: 2 }} width={40} rows={3} />, { columns: 40 });
    expect(lastFrame()).toContain('no requests finished in the last 10 s');
    expect(lastFrame()).not.toContain('▲');
    unmount();
  });
});
