/**
 * The HTML report: one self-contained file (Chart.js inlined, data in a JSON script
 * block), readable offline. Every piece of text from the log is escaped; the data block
 * escapes `<` so a question containing `</script>` stays data.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SYNTHETIC_LABEL, type ReportData } from './data.js';
import { CHART_SCRIPT } from './chart-script.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { accuracyTable, energyTable, factRows, latencyTable, segmentTable, slowestTable, summaryTable, type Table } from './tables.js';

let chartJs: string | undefined;

/** The Chart.js UMD build (defines the global `Chart`), read once from node_modules. */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const source = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
    // Inlined code must not be able to close its own script element.
    chartJs = source.replace(/<\/script/gi, '<\\/script');
  }
  return chartJs;
}

function tableHtml(table: Table): string {
  const head = `<tr>${table.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = table.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  const note = table.note ? `<p class="note">${escapeHtml(table.note)}</p>` : '';
  const body = table.rows.length > 0 ? `<table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table>` : '<p class="note">none</p>';
  return `${note}\n${body}`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

const canvas = (id: string, label: string) => `<div class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(label)}"></canvas></div>`;

function chartData(data: ReportData): unknown {
  return { distributions: data.distributions, series: data.series, scatter: data.scatter };
}

export function renderHtml(data: ReportData): string {
  const facts = factRows(data)
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  const synthetic = (['A', 'B'] as const).filter((slot) => data.facts.models[slot].synthetic);
  const banner = synthetic.length > 0 ? `<p class="synthetic">Model ${synthetic.join(' and ')}: ${escapeHtml(SYNTHETIC_LABEL)}</p>` : '';
  const warnings = data.warnings.map((w) => `<p class="warning">warning: ${escapeHtml(w)}</p>`).join('\n');
  const metrics = ['ttft', 'tpot', 'e2e'] as const;
  const distributions = metrics
    .map((m) => `<h3>${m.toUpperCase()}</h3>\n<div class="row">${canvas(`chart-cdf-${m}`, `${m} CDF`)}${canvas(`chart-hist-${m}-A`, `${m} histogram, model A`)}${canvas(`chart-hist-${m}-B`, `${m} histogram, model B`)}</div>`)
    .join('\n');
  const sections = [
    section('facts', 'Run', `<table class="facts">\n${facts}\n</table>\n${banner}\n${warnings}`),
    section('summary', 'Summary', tableHtml(summaryTable(data))),
    section('latency', 'Latency distributions', `${tableHtml(latencyTable(data))}\n${distributions}`),
    section(
      'over-time',
      'Throughput and power over time',
      `<p class="note">Dashed lines mark policy switches.</p>\n<div class="row">${canvas('chart-qps', 'queries per second over time')}${canvas('chart-tokens', 'tokens per second over time')}${canvas('chart-power', 'device power over time')}</div>`,
    ),
    section('accuracy', 'Accuracy', `${tableHtml(accuracyTable(data))}\n<h3>Per policy segment</h3>\n${tableHtml(segmentTable(data))}`),
    section('energy', 'Energy efficiency', tableHtml(energyTable(data))),
    section(
      'tradeoff',
      'Latency x EM x energy',
      `<p class="note">One point per policy segment: p50 end-to-end latency against EM; the bubble grows with device energy per query.</p>\n${canvas('chart-scatter', 'latency, EM and energy per segment')}`,
    ),
    section('slowest', 'Slowest requests', tableHtml(slowestTable(data))),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>duet report: ${escapeHtml(data.facts.profileName ?? 'session')} ${escapeHtml(data.facts.wallStart)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child, .facts td { text-align: left; }
#slowest td:nth-child(2), #slowest td:nth-child(3), #slowest td:nth-child(4) { text-align: left; max-width: 22em; overflow-wrap: anywhere; }
.note { color: #555; }
.synthetic { background: #fff4d6; padding: 0.5em; border-left: 4px solid #e0a800; }
.warning { color: #a33; }
.row { display: flex; flex-wrap: wrap; gap: 1em; }
.chart { position: relative; height: 260px; flex: 1 1 360px; min-width: 300px; }
</style>
</head>
<body>
<h1>duet session report</h1>
${sections.join('\n')}
<script type="application/json" id="duet-data">${jsonForScript(chartData(data))}</script>
<script>${chartJsSource()}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}
