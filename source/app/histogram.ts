import type { HistogramBin } from '../core/metrics/snapshot.js';

/**
 * Pure geometry of the live histogram: which bins are drawn, how tall each column is and
 * at which column a percentile marker sits. The bins (any widths, e.g. log-spaced) are
 * laid out evenly across `width` columns; empty bins at either end are trimmed so the
 * data fills the width.
 */

export interface HistogramGeometry {
  /** Count per column. */
  columns: number[];
  fromMs: number;
  toMs: number;
  /** The drawn bins (trimmed). */
  bins: HistogramBin[];
}

export function trimBins(bins: readonly HistogramBin[], keep: readonly (number | undefined)[] = []): HistogramBin[] {
  let first = bins.findIndex((b) => b.count > 0);
  if (first < 0) return [];
  let last = bins.length - 1;
  while (last > first && bins[last]!.count === 0) last--;
  for (const value of keep) {
    if (value === undefined) continue;
    const index = binIndex(bins, value);
    if (index < first) first = index;
    if (index > last) last = index;
  }
  return bins.slice(first, last + 1);
}

function binIndex(bins: readonly HistogramBin[], value: number): number {
  for (let i = 0; i < bins.length; i++) if (value < bins[i]!.toMs) return i;
  return bins.length - 1;
}

export function layoutHistogram(allBins: readonly HistogramBin[], width: number, keep: readonly (number | undefined)[] = []): HistogramGeometry | undefined {
  const bins = trimBins(allBins, keep);
  if (bins.length === 0 || width <= 0) return undefined;
  const n = bins.length;
  const columns = new Array<number>(width).fill(0);
  if (n >= width) {
    bins.forEach((bin, i) => {
      columns[Math.min(width - 1, Math.floor((i * width) / n))]! += bin.count;
    });
  } else {
    for (let c = 0; c < width; c++) columns[c] = bins[Math.min(n - 1, Math.floor(((c + 0.5) * n) / width))]!.count;
  }
  return { columns, fromMs: bins[0]!.fromMs, toMs: bins[n - 1]!.toMs, bins };
}

/** Column (0-based) where `value` falls, interpolating inside its bin. */
export function markerColumn(geometry: HistogramGeometry, value: number, width: number): number {
  const { bins } = geometry;
  const n = bins.length;
  let x: number;
  if (value < bins[0]!.fromMs) x = 0;
  else {
    const i = binIndex(bins, value);
    const bin = bins[i]!;
    const span = bin.toMs - bin.fromMs;
    const f = span > 0 ? Math.min(0.999, Math.max(0, (value - bin.fromMs) / span)) : 0;
    x = i + f;
  }
  return Math.max(0, Math.min(width - 1, Math.floor((x * width) / n)));
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
