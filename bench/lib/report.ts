import { appendFileSync } from 'node:fs';

/**
 * One figure a benchmark checks: a ratio of two things measured in the same run (absolute
 * times drift on a shared machine), with the goal it is held to.
 */
export interface Figure {
  /** Short name for the summary table, e.g. "batching: c8 / c1 tokens/s". */
  name: string;
  measured: number;
  /** How to print `measured` (e.g. "x", "%", "us"). */
  unit: string;
  /** The goal as text (e.g. ">= 3x") and its test; no goal = informational. */
  goal?: string;
  pass?: boolean;
}

/** What one benchmark hands to bench/all.ts: its figures plus the absolute numbers behind them. */
export interface BenchResult {
  bench: string;
  figures: Figure[];
  /** Absolute measurements (ms, tokens/s, bytes...) that the ratios were made of. */
  absolute: Record<string, number | string>;
  notes: string[];
}

export function formatFigure(figure: Pick<Figure, 'measured' | 'unit'>): string {
  const { measured, unit } = figure;
  if (!Number.isFinite(measured)) return 'n/a';
  if (unit === '%') return `${(measured * 100).toFixed(1)}%`;
  if (unit === 'x') return `${measured.toFixed(2)}x`;
  return `${measured.toFixed(measured >= 100 ? 0 : 2)} ${unit}`;
}

/** met / MISSED, or "not run" when the figure could not be measured here. */
export function verdictOf(figure: Figure): string {
  if (figure.goal === undefined) return 'info';
  if (figure.pass === undefined) return 'not run';
  return figure.pass ? 'met' : 'MISSED';
}

/**
 * Prints the figures, and when bench/all.ts asked for them (env DUET_BENCH_JSON = a file),
 * appends the result there as one JSON line: each benchmark stays a plain script.
 */
export function report(result: BenchResult, options: { print?: boolean } = {}): void {
  if (options.print !== false) printFigures(result);
  const out = process.env.DUET_BENCH_JSON;
  if (out) appendFileSync(out, `${JSON.stringify(result)}\n`);
}

function printFigures(result: BenchResult): void {
  console.log('');
  for (const figure of result.figures) {
    const verdict = figure.goal === undefined ? '' : `   goal ${figure.goal}: ${verdictOf(figure)}`;
    console.log(`${figure.name}: ${formatFigure(figure)}${verdict}`);
  }
  for (const note of result.notes) console.log(`note: ${note}`);
}
