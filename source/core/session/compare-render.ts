/** Renders a Comparison as aligned text, Markdown or a self-contained HTML page. */
import { fixed, ms, NA, table } from '../headless/format.js';
import { intervalsOverlap, type CompareFigures, type Comparison } from './compare.js';
import { escapeHtml, escapeMarkdownCell } from './report/escape.js';
import { markdownTable } from './report/markdown.js';
import { emWithInterval } from './report/tables.js';

export const NOT_SIGNIFICANT = 'n.s.';
export const LEGEND = `Deltas are against the first log. ${NOT_SIGNIFICANT} = the EM 95% intervals overlap: not significant.`;

interface MetricRow {
  label: string;
  value(f: CompareFigures): number | undefined;
  format(v: number | undefined): string;
}

const rate = (digits: number) => (v: number | undefined) => fixed(v, digits);
const METRICS: MetricRow[] = [
  { label: 'done', value: (f) => f.completed, format: (v) => (v === undefined ? NA : String(v)) },
  { label: 'p50 E2E', value: (f) => f.p50, format: ms },
  { label: 'p90 E2E', value: (f) => f.p90, format: ms },
  { label: 'p99 E2E', value: (f) => f.p99, format: ms },
  { label: 'q/s', value: (f) => f.qps, format: rate(2) },
  { label: 'tokens/s', value: (f) => f.tokensPerSec, format: rate(1) },
  { label: 'goodput q/s', value: (f) => f.goodput, format: rate(2) },
  { label: 'J/correct', value: (f) => f.joulesPerCorrect, format: rate(2) },
];

function signed(text: string, negative: boolean): string {
  return negative ? text : `+${text}`;
}

/** "value (+delta, +x%)" against the base, or just the value for the base itself. */
function cell(metric: MetricRow, figures: CompareFigures | undefined, base: CompareFigures | undefined, isBase: boolean): string {
  if (!figures) return NA;
  const value = metric.value(figures);
  const shown = metric.format(value);
  const baseValue = base ? metric.value(base) : undefined;
  if (isBase || value === undefined || baseValue === undefined) return shown;
  const diff = value - baseValue;
  const relative = baseValue !== 0 ? ` ${signed(`${((100 * diff) / baseValue).toFixed(1)}%`, diff < 0)}` : '';
  return `${shown} (${signed(metric.format(diff), diff < 0)}${relative})`;
}

function emCell(figures: CompareFigures | undefined, base: CompareFigures | undefined, isBase: boolean): string {
  if (!figures) return NA;
  const shown = emWithInterval(figures.em);
  if (isBase || !base || figures.em.value === undefined || base.em.value === undefined) return shown;
  const diff = figures.em.value - base.em.value;
  const mark = intervalsOverlap(figures.em, base.em) ? `, ${NOT_SIGNIFICANT}` : '';
  return `${shown} (${signed(diff.toFixed(1), diff < 0)} pp${mark})`;
}

export interface CompareTable {
  title: string;
  head: string[];
  rows: string[][];
}

export function compareTables(comparison: Comparison): CompareTable[] {
  const head = ['', ...comparison.logs.map((l) => l.name)];
  return comparison.groups.map((group) => {
    const base = group.figures[0];
    const row = (label: string, cells: string[]) => [label, ...cells];
    const rows = METRICS.map((metric) => row(metric.label, group.figures.map((f, i) => cell(metric, f, base, i === 0))));
    rows.splice(4, 0, row('EM [95%]', group.figures.map((f, i) => emCell(f, base, i === 0))));
    return { title: group.title, head, rows };
  });
}

function logList(comparison: Comparison): string[] {
  return comparison.logs.map((l, i) => `${i + 1}. ${l.name}: ${l.path}${l.profile ? ` (profile ${l.profile})` : ''}, A ${l.models.A}, B ${l.models.B}${l.timing ? ` — ${l.timing}` : ''}`);
}

export function renderCompareText(comparison: Comparison): string {
  const parts = [...logList(comparison), LEGEND];
  for (const t of compareTables(comparison)) parts.push('', t.title, table([t.head, ...t.rows]));
  return `${parts.join('\n')}\n`;
}

export function renderCompareMarkdown(comparison: Comparison): string {
  const parts = ['# duet comparison', '', ...logList(comparison).map(escapeMarkdownCell), '', LEGEND];
  for (const t of compareTables(comparison)) parts.push('', `## ${t.title}`, '', markdownTable(t));
  return `${parts.join('\n')}\n`;
}

export function renderCompareHtml(comparison: Comparison): string {
  const tables = compareTables(comparison)
    .map((t) => {
      const head = `<tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
      const rows = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
      return `<h2>${escapeHtml(t.title)}</h2>\n<table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
    })
    .join('\n');
  const logs = logList(comparison)
    .map((line) => `<li>${escapeHtml(line.replace(/^\d+\. /, ''))}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>duet comparison</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
</style>
</head>
<body>
<h1>duet comparison</h1>
<ol>
${logs}
</ol>
<p>${escapeHtml(LEGEND)}</p>
${tables}
</body>
</html>
`;
}
