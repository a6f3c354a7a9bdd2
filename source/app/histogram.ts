import type { HistogramBin, LatencyView } from '../core/metrics/snapshot.js';

/**
 * Pure geometry of the live histograms: one logarithmic axis of whole decades shared by
 * both models (so A's and B's bars can be compared column by column), how tall each
 * column is, where a percentile marker sits and where the decade labels go.
 */

/** A log axis from 10^lo to 10^hi ms (whole decades). */
export interface LogAxis {
  lo: number;
  hi: number;
}

/**
 * The axis for both models' views of one metric. It is set by whole-run figures (p50
 * and max), not by the 10 s window, so it stays put from tick to tick and only moves
 * when the run's range crosses a decade: from a decade below a fifth of the faster
 * median to the decade above the slowest value, at least two decades.
 */
export function sharedAxis(views: readonly LatencyView[]): LogAxis | undefined {
  const medians = views.map((v) => v.run.p50).filter((v): v is number => v !== undefined && v > 0);
  const maxima = views.map((v) => v.run.max).filter((v): v is number => v !== undefined && v > 0);
  if (medians.length === 0 || maxima.length === 0) return undefined;
  const lo = Math.floor(Math.log10(Math.min(...medians) / 5));
  const hi = Math.max(lo + 2, Math.ceil(Math.log10(Math.max(...maxima))));
  return { lo, hi };
}

/** Position (in columns, fractional) of a value on the axis, clamped to it. */
export function axisX(axis: LogAxis, ms: number, width: number): number {
  const f = ms > 0 ? (Math.log10(ms) - axis.lo) / (axis.hi - axis.lo) : 0;
  return Math.max(0, Math.min(1, f)) * width;
}

/**
 * Count per column: a bin fills the columns whose centre it covers; a bin too narrow to
 * cover a centre (or off the axis) adds to the column it falls in.
 */
export function columnCounts(bins: readonly HistogramBin[], axis: LogAxis, width: number): number[] {
  const columns = new Array<number>(width).fill(0);
  for (const bin of bins) {
    if (bin.count <= 0) continue;
    const x0 = axisX(axis, bin.fromMs, width);
    const x1 = axisX(axis, bin.toMs, width);
    const first = Math.ceil(x0 - 0.5);
    const last = Math.ceil(x1 - 0.5) - 1;
    if (last >= first && first < width) {
      for (let c = first; c <= Math.min(width - 1, last); c++) columns[c]! += bin.count;
    } else {
      columns[Math.min(width - 1, Math.floor(x0))]! += bin.count;
    }
  }
  return columns;
}

/** Column (0-based) where a percentile marker goes. */
export function markerColumn(axis: LogAxis, value: number, width: number): number {
  return Math.min(width - 1, Math.floor(axisX(axis, value, width)));
}

export function decadeLabel(exponent: number): string {
  if (exponent >= 3) return `${10 ** (exponent - 3)}s`;
  if (exponent >= 0) return `${10 ** exponent}ms`;
  return `${Number((10 ** exponent).toPrecision(1))}ms`;
}

/** The axis line: each decade's label at its tick (the last one right-aligned), skipping labels that would touch. */
export function axisLine(axis: LogAxis, width: number): string {
  const cells = new Array<string>(width).fill(' ');
  let free = 0;
  for (let d = axis.lo; d <= axis.hi; d++) {
    const label = decadeLabel(d);
    const tick = Math.round(axisX(axis, 10 ** d, width));
    const start = Math.min(width - label.length, tick);
    if (start < free || start < 0) continue;
    for (let i = 0; i < label.length; i++) cells[start + i] = label[i]!;
    free = start + label.length + 1;
  }
  return cells.join('');
}

const EIGHTHS = ' ▁▂▃▄▅▆▇█';

/** Rows of bar characters, top row first; every non-empty column shows at least a sliver. */
export function barRows(columns: readonly number[], rows: number): string[] {
  const max = Math.max(0, ...columns);
  const heights = columns.map((c) => (c <= 0 || max <= 0 ? 0 : Math.max(1, Math.round((c / max) * rows * 8))));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const level = rows - 1 - r;
    lines.push(heights.map((h) => EIGHTHS[Math.max(0, Math.min(8, h - level * 8))]!).join(''));
  }
  return lines;
}
