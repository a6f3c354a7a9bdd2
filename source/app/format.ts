import type { LoadSetting } from '../core/events.js';
import stringWidth from 'string-width';

/**
 * Number and text formatting for the screen. Pure; every formatter turns `undefined`
 * into a dash, never into a zero.
 */

export const DASH = '–';

/** Milliseconds as "850ms", "12.3ms", "1.24s", "2m05s". */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  const v = Math.max(0, value);
  if (v < 10) return `${v.toFixed(1)}ms`;
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(v / 60_000);
  const s = Math.floor((v % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/** Signed millisecond delta: "+12ms", "-1.20s". */
export function msDelta(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  return `${value >= 0 ? '+' : '-'}${ms(Math.abs(value))}`;
}

/** A plain number with sensible precision: 0.42, 3.1, 42, 1.2k. */
export function num(value: number | undefined, digits?: number): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  const a = Math.abs(value);
  if (digits !== undefined) return value.toFixed(digits);
  if (a >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  if (a >= 1000) return `${(value / 1000).toFixed(1)}k`;
  if (a >= 100) return value.toFixed(0);
  if (a >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function signed(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

/** A percentage already in 0-100. */
export function pct(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  return `${value.toFixed(digits)}%`;
}

export function watts(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  return `${value.toFixed(value < 100 ? 1 : 0)} W`;
}

export function joules(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} MJ`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(2)} kJ`;
  return `${value.toFixed(value < 10 ? 2 : 1)} J`;
}

export function mib(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  if (value >= 1024) return `${(value / 1024).toFixed(1)}G`;
  return `${Math.round(value)}M`;
}

/** Elapsed time as m:ss or h:mm:ss. */
export function clock(elapsedMs: number): string {
  const total = Math.max(0, Math.floor(elapsedMs / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function loadLabel(load: LoadSetting): string {
  return load.mode === 'closed' ? `concurrency ${load.concurrency}` : `rate ${num(load.rate)} q/s`;
}

/** Cuts text to `width` columns, ending with an ellipsis when cut. Line breaks and tabs become spaces. */
/** Columns a string takes on a terminal: wide (CJK, emoji) characters take two, combining marks none. */
export function columns(text: string): number {
  return /^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text);
}

/** Cuts to at most `width` terminal columns (by grapheme, never mid-character), marking a cut with …. */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  if (width <= 0) return '';
  if (columns(flat) <= width) return flat;
  if (width === 1) return '…';
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(flat)) {
    const w = columns(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

export function padEnd(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - columns(cut)));
}

export function padStart(text: string, width: number): string {
  const cut = truncate(text, width);
  return ' '.repeat(Math.max(0, width - columns(cut))) + cut;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const SPARKS = '▁▂▃▄▅▆▇█';

/**
 * A one-line sparkline of the last `width` values, scaled from 0 to `max` (by default the
 * series' own maximum; pass a shared one so that two sparklines can be compared).
 * Missing history is left blank; an all-zero series draws the baseline.
 */
export function sparkline(series: readonly number[], width: number, max?: number): string {
  if (width <= 0) return '';
  const values = series.slice(-width).filter((v) => Number.isFinite(v));
  if (values.length === 0) return ' '.repeat(width);
  const top = max ?? Math.max(...values);
  const cells = values.map((v) => {
    if (top <= 0 || v <= 0) return SPARKS[0]!;
    const level = Math.min(SPARKS.length - 1, Math.max(0, Math.round((v / top) * (SPARKS.length - 1))));
    return SPARKS[level]!;
  });
  return ' '.repeat(width - cells.length) + cells.join('');
}

/** The largest finite value of several series (a shared sparkline scale), 0 when there is none. */
export function seriesMax(...series: readonly (readonly number[])[]): number {
  let max = 0;
  for (const values of series) for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  return max;
}

/**
 * A sparkline on a log axis (latency over time): `axis` in decades of ms, shared by both
 * models; a missing value (no answers in that window) is a blank.
 */
export function logSparkline(series: readonly (number | undefined)[], width: number, axis: { lo: number; hi: number }): string {
  if (width <= 0) return '';
  const values = series.slice(-width);
  const cells = values.map((v) => {
    if (v === undefined || !(v > 0)) return ' ';
    const f = (Math.log10(v) - axis.lo) / (axis.hi - axis.lo);
    return SPARKS[Math.min(SPARKS.length - 1, Math.max(0, Math.round(f * (SPARKS.length - 1))))]!;
  });
  return ' '.repeat(width - cells.length) + cells.join('');
}

/** Splits text into at most `lines` lines of `width` columns, breaking at spaces when it can; the last line is truncated. */
export function wrapLines(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let rest = text.replace(/[\r\n\t]+/g, ' ').trim();
  while (rest.length > 0 && out.length < lines - 1 && rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 2 ? space : width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || out.length === 0) out.push(truncate(rest, width));
  return out;
}
