/** Plain-text number formatting for the headless output (no colours: it may go to a file). */

export const NA = '-';

/** 420 ms, 1.25 s. */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return NA;
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}

export function fixed(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? NA : value.toFixed(digits);
}

export function percent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? NA : `${value.toFixed(1)}%`;
}

/** mm:ss, or h:mm:ss past an hour. */
export function clock(elapsedMs: number): string {
  const total = Math.floor(elapsedMs / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return h > 0 ? `${h}:${p(m)}:${p(total % 60)}` : `${p(m)}:${p(total % 60)}`;
}

/** Left-aligned first column, right-aligned others, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}
