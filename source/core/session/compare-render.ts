/**
 * Renders a Comparison as aligned text, Markdown or a self-contained HTML page (tables
 * and inline SVG bar charts, no script). Only what every log has is shown: a group some
 * log lacks (a policy it never ran, a model it never used) and a figure some log cannot
 * give (J/correct without power) are left out, not filled with dashes. Each latency row
 * keeps one unit, the run's length ("done") is a count with no delta, and every delta
 * says whether it is better or worse.
 */
import { fixed, NA, table } from '../headless/format.js';
import { intervalsOverlap, type CompareFigures, type Comparison } from './compare.js';
import { escapeHtml, escapeMarkdownCell } from './report/escape.js';
import { markdownTable } from './report/markdown.js';
import { emWithInterval } from './report/tables.js';

export const NOT_SIGNIFICANT = 'n.s.';
export const LEGEND = `Deltas are against the first log, marked better or worse. ${NOT_SIGNIFICANT} = the EM 95% intervals overlap: not significant. Rows and groups not in every log are left out.`;

interface MetricRow {
  label: string;
  value(f: CompareFigures): number | undefined;
  /** Latency rows share one unit per row; other rows format with fixed digits. */
  kind: 'latency' | 'rate' | 'count';
  digits?: number;
  lowerIsBetter?: boolean;
}

const METRICS: MetricRow[] = [
  { label: 'done', value: (f) => f.completed, kind: 'count' },
  { label: 'p50 E2E', value: (f) => f.p50, kind: 'latency', lowerIsBetter: true },
  { label: 'p90 E2E', value: (f) => f.p90, kind: 'latency', lowerIsBetter: true },
  { label: 'p99 E2E', value: (f) => f.p99, kind: 'latency', lowerIsBetter: true },
  { label: 'q/s', value: (f) => f.qps, kind: 'rate', digits: 2 },
  { label: 'tokens/s', value: (f) => f.tokensPerSec, kind: 'rate', digits: 1 },
  { label: 'goodput q/s', value: (f) => f.goodput, kind: 'rate', digits: 2 },
  { label: 'J/correct', value: (f) => f.joulesPerCorrect, kind: 'rate', digits: 2, lowerIsBetter: true },
];

/** One unit for a whole latency row: ms unless some value is 10 s or more. */
export function latencyUnit(values: readonly number[]): 'ms' | 's' {
  return values.some((v) => Math.abs(v) >= 10_000) ? 's' : 'ms';
}

function formatter(metric: MetricRow, values: readonly number[]): (v: number) => string {
  if (metric.kind === 'count') return (v) => String(v);
  if (metric.kind === 'rate') return (v) => fixed(v, metric.digits);
  return latencyUnit(values) === 's' ? (v) => `${(v / 1000).toFixed(2)} s` : (v) => `${v.toFixed(v !== 0 && Math.abs(v) < 10 ? 1 : 0)} ms`;
}

const plus = (text: string, negative: boolean) => (negative || text.startsWith('-') ? text : `+${text}`);

function verdict(diff: number, lowerIsBetter: boolean): string {
  if (diff === 0) return 'same';
  return diff < 0 === lowerIsBetter ? 'better' : 'worse';
}

function emCell(figures: CompareFigures, base: CompareFigures, isBase: boolean): string {
  const shown = emWithInterval(figures.em);
  if (isBase || figures.em.value === undefined || base.em.value === undefined) return shown;
  const diff = figures.em.value - base.em.value;
  const mark = intervalsOverlap(figures.em, base.em) ? NOT_SIGNIFICANT : verdict(diff, false);
  return `${shown} (${plus(diff.toFixed(1), diff < 0)} pp, ${mark})`;
}

export interface CompareTable {
  title: string;
  head: string[];
  rows: string[][];
}

/** A group every log has answers in; figures in log order. */
function sharedGroups(comparison: Comparison): { title: string; figures: CompareFigures[] }[] {
  return comparison.groups.flatMap((group) => {
    const figures = group.figures;
    if (figures.some((f) => f === undefined || f.completed === 0)) return [];
    return [{ title: group.title, figures: figures as CompareFigures[] }];
  });
}

export function compareTables(comparison: Comparison): CompareTable[] {
  const head = ['', ...comparison.logs.map((l) => l.name)];
  return sharedGroups(comparison).map((group) => {
    const base = group.figures[0]!;
    const rows: string[][] = [];
    for (const metric of METRICS) {
      const values = group.figures.map((f) => metric.value(f));
      if (values.some((v) => v === undefined)) continue;
      const known = values as number[];
      const format = formatter(metric, known);
      rows.push([
        metric.label,
        ...known.map((value, i) => {
          if (i === 0 || metric.kind === 'count') return format(value);
          const diff = value - known[0]!;
          const relative = known[0] !== 0 ? `, ${plus(`${((100 * diff) / known[0]!).toFixed(1)}%`, diff < 0)}` : '';
          return `${format(value)} (${plus(format(diff), diff < 0)}${relative}, ${verdict(diff, metric.lowerIsBetter ?? false)})`;
        }),
      ]);
    }
    // EM after the latency rows.
    if (group.figures.every((f) => f.em.value !== undefined)) {
      const at = rows.filter((r) => r[0] === 'done' || r[0]!.endsWith(' E2E')).length;
      rows.splice(at, 0, ['EM [95%]', ...group.figures.map((f, i) => emCell(f, base, i === 0))]);
    }
    return { title: group.title, head, rows };
  });
}

/** Bars of one figure per log, as inline SVG (no script), the first log's bar the reference. */
function svgBars(title: string, values: readonly number[], names: readonly string[], format: (v: number) => string): string {
  const max = Math.max(...values, 1e-9);
  const rowH = 22;
  const labelW = 160;
  const barW = 260;
  const rows = values
    .map((v, i) => {
      const w = Math.max(1, (barW * v) / max);
      const y = 18 + i * rowH;
      return `<text x="0" y="${y + 14}">${escapeHtml(names[i]!.slice(-24))}</text><rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="14" fill="${i === 0 ? '#888' : '#2f7ed8'}"></rect><text x="${(labelW + w + 4).toFixed(1)}" y="${y + 14}">${escapeHtml(format(v))}</text>`;
    })
    .join('');
  const height = 22 + values.length * rowH;
  return `<figure class="bars"><svg viewBox="0 0 ${labelW + barW + 90} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}"><text x="0" y="12" font-weight="bold">${escapeHtml(title)}</text>${rows}</svg></figure>`;
}

function groupCharts(comparison: Comparison): string {
  const names = comparison.logs.map((l) => l.name);
  return sharedGroups(comparison)
    .filter((g) => !g.title.startsWith('policy '))
    .map((g) => {
      const p50 = g.figures.map((f) => f.p50);
      const qps = g.figures.map((f) => f.qps);
      const em = g.figures.map((f) => f.em.value);
      const charts = [
        p50.every((v) => v !== undefined) ? svgBars(`${g.title}: p50 E2E (lower is better)`, p50 as number[], names, formatter(METRICS[1]!, p50 as number[])) : '',
        qps.every((v) => v !== undefined) ? svgBars(`${g.title}: q/s (higher is better)`, qps as number[], names, (v) => fixed(v, 2)) : '',
        em.every((v) => v !== undefined) ? svgBars(`${g.title}: EM % (higher is better)`, em as number[], names, (v) => `${v.toFixed(1)}%`) : '',
      ];
      return charts.join('');
    })
    .join('');
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
      const cellHtml = (c: string) => `<td${/, better\)$/.test(c) ? ' class="better"' : /, worse\)$/.test(c) ? ' class="worse"' : ''}>${escapeHtml(c)}</td>`;
      const rows = t.rows.map((r) => `<tr>${r.map(cellHtml).join('')}</tr>`).join('\n');
      return `<h2>${escapeHtml(t.title)}</h2>\n<div class="scroll"><table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
    })
    .join('\n');
  const logs = logList(comparison)
    .map((line) => `<li>${escapeHtml(line.replace(/^\d+\. /, ''))}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>duet comparison</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th, td { white-space: nowrap; }
.scroll { max-width: 100%; overflow-x: auto; }
.better { color: #1a7f37; }
.worse { color: #b42318; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.bars { flex: 1 1 360px; margin: 0; font-size: 12px; }
</style>
</head>
<body>
<h1>duet comparison</h1>
<ol>
${logs}
</ol>
<p>${escapeHtml(LEGEND)}</p>
<div class="charts">${groupCharts(comparison)}</div>
${tables}
</body>
</html>
`;
}
