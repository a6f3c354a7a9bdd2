/**
 * How the screen uses the terminal. Side by side from 100 columns, stacked below; full
 * panels (borders, 5-row histograms, the A/B table, a ticker) when the height allows,
 * otherwise compact panels (no borders, shorter histograms, one-line power and segment
 * summaries). The frame always stays at least one line shorter than the terminal so Ink
 * redraws in place instead of clearing the screen.
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

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

export function planLayout(columns: number, rows: number): LayoutPlan {
  const wide = columns >= WIDE_MIN_COLUMNS;
  const models = wide ? 1 : 2; // model panels stacked vertically
  const modelWidth = wide ? Math.floor(columns / 2) : columns;
  const budget = rows - 1 - HEADER - STATUS;
  // Full panels: model 11 + histogram rows, power <= 8, A/B table 9, ticker 2 + lines.
  const fullHist = 5;
  const bottom = wide ? 9 : 8 + 9;
  const fullFixed = models * (11 + fullHist) + bottom + 2;
  if (budget - fullFixed >= 3) {
    return { columns, rows, wide, compact: false, modelWidth, histRows: fullHist, tickerLines: clamp(budget - fullFixed, 3, 8), maxDevices: 2 };
  }
  // Compact: model 6 + histogram rows, power 1, segment 1, ticker lines.
  const avail = budget - 2;
  const histRows = clamp(Math.floor((avail - models * 6 - (wide ? 2 : 1)) / models), 1, 5);
  const tickerLines = clamp(avail - models * (6 + histRows), 0, 6);
  return { columns, rows, wide, compact: true, modelWidth, histRows, tickerLines, maxDevices: 1 };
}
