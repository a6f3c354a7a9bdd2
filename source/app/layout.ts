/**
 * How the screen uses the terminal. Side by side from 100 columns, stacked below; full
 * panels (borders, the percentile table, 3-6 row histograms, the A/B table, a ticker)
 * when the height allows, otherwise compact panels (no borders, shorter histograms,
 * one-line power, a three-line A/B summary). Every panel keeps its height whatever the
 * data (no jump at the first policy switch); the frame is one line shorter than the
 * terminal so Ink redraws in place instead of clearing the screen.
 */

export const WIDE_MIN_COLUMNS = 100;

export interface LayoutPlan {
  columns: number;
  rows: number;
  wide: boolean;
  compact: boolean;
  /** Width of one model panel. */
  modelWidth: number;
  histRows: number;
  tickerLines: number;
  maxDevices: number;
}

const HEADER = 2;
const STATUS = 1;
/** Full model panel without its histogram rows: border 2, name, load, table header + 4 metrics, marker, axis, trend, q/s, tok/s, EM, split. */
export const MODEL_FULL_BASE = 16;
/** Compact model panel without its histogram rows: name, percentiles, marker, axis, throughput, accuracy. */
export const MODEL_COMPACT_FIXED = 6;
/** Full A/B panel: border 2, title, header, 8 rows (4 figures x 2 models), the cascade/power line. */
export const SEGMENT_FULL = 13;
export const SEGMENT_COMPACT = 3;
export const POWER_FULL = 7;

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** `extraModelLines`: lines a full model panel adds for HTTP servers (server metrics, replicas). */
export function planLayout(columns: number, rows: number, extraModelLines = 0): LayoutPlan {
  const wide = columns >= WIDE_MIN_COLUMNS;
  const models = wide ? 1 : 2; // model panels stacked vertically
  const modelWidth = wide ? Math.floor(columns / 2) : columns;
  const budget = rows - 1 - HEADER - STATUS;
  const MODEL_FULL_FIXED = MODEL_FULL_BASE + extraModelLines;
  // Full panels when 2 histogram rows and a 2-line ticker fit.
  const bottom = wide ? Math.max(POWER_FULL, SEGMENT_FULL) : POWER_FULL + SEGMENT_FULL;
  const fullFree = budget - models * MODEL_FULL_FIXED - bottom - 2;
  if (fullFree - models * 2 >= 2) {
    const histRows = clamp(Math.floor((fullFree - 2) / models), 2, 6);
    return { columns, rows, wide, compact: false, modelWidth, histRows, tickerLines: clamp(fullFree - models * histRows, 2, 10), maxDevices: 2 };
  }
  // Compact: power 1 line, A/B 3 lines (power beside it when wide), ticker lines last.
  const fixed = 1 + SEGMENT_COMPACT;
  const spare = budget - fixed - models * MODEL_COMPACT_FIXED;
  // Without room for one bar row the histogram goes (and its marker and axis rows with it).
  const histRows = spare >= models ? clamp(Math.floor((spare - 1) / models), 1, 5) : 0;
  const modelLines = histRows > 0 ? MODEL_COMPACT_FIXED + histRows : MODEL_COMPACT_FIXED - 2;
  const tickerLines = clamp(budget - fixed - models * modelLines, 0, 6);
  return { columns, rows, wide, compact: true, modelWidth, histRows, tickerLines, maxDevices: 1 };
}
