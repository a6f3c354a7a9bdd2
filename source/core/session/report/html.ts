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
import { serverTable } from './server-table.js';

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
  // Wide tables scroll inside their box on a narrow screen instead of widening the page.
  const body = table.rows.length > 0 ? `<div class="scroll"><table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>` : '<p class="note">none</p>';
  return `${note}\n${body}`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

const canvas = (id: string, label: string) => `<div class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(label)}"></canvas></div>`;

function chartData(data: ReportData): unknown {
  const segments = data.snapshot.segments.map((g) => ({ index: g.index, policy: g.policy, ...(g.models ? { models: g.models } : {}) }));
  return { distributions: data.distributions, series: data.series, scatter: data.scatter, segments };
}

/** Why the power chart is missing: the telemetry sources' own reasons, never an empty 0 W axis. */
export function powerNotMeasured(data: ReportData): string | undefined {
  if (data.series.power.length > 0) return undefined;
  const reasons = data.snapshot.power.status.filter((s) => s.state !== 'ok').map((s) => `${s.source}: ${s.reason ?? s.state}`);
  return `Power and energy: not measured (${reasons.length > 0 ? reasons.join('; ') : 'no telemetry source gave a power reading'}).`;
}

function isSynthetic(data: ReportData): boolean {
  return data.facts.models.A.synthetic || data.facts.models.B.synthetic;
}

export function renderHtml(data: ReportData): string {
  const facts = factRows(data)
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  const syntheticSlots = (['A', 'B'] as const).filter((slot) => data.facts.models[slot].synthetic);
  const banner = syntheticSlots.length > 0 ? `<p class="synthetic">Model ${syntheticSlots.join(' and ')}: ${escapeHtml(SYNTHETIC_LABEL)}</p>` : '';
  const warnings = data.warnings.map((w) => `<p class="warning">warning: ${escapeHtml(w)}</p>`).join('\n');
  const metrics = ['ttft', 'tpot', 'e2e'] as const;
  const distributions = metrics
    .map((m) => `<h3>${m.toUpperCase()}</h3>\n<div class="row">${canvas(`chart-cdf-${m}`, `${m} CDF, log axis`)}${canvas(`chart-hist-${m}`, `${m} histogram, both models on shared log bins`)}</div>`)
    .join('\n');
  const noPower = powerNotMeasured(data);
  const synthetic = isSynthetic(data);
  const notMeaningful = `<p class="not-measured">EM over time: not meaningful (${escapeHtml(SYNTHETIC_LABEL)}).</p>`;
  const overTime = [
    canvas('chart-latency-time', 'E2E p50 and p99 over time per model, log axis'),
    synthetic ? '' : canvas('chart-em-time', 'EM over time per model'),
    canvas('chart-qps', 'queries per second over time'),
    canvas('chart-tokens', 'tokens per second over time'),
    noPower ? '' : canvas('chart-power', 'device power and energy over time'),
  ].join('');
  const perSegment = `${canvas('chart-segment-latency', 'E2E p50 per segment and model with 95% intervals')}${synthetic ? '' : canvas('chart-segment-em', 'EM per segment and model with 95% intervals')}`;
  const sections = [
    section('facts', 'Run', `<div class="scroll"><table class="facts">\n${facts}\n</table></div>\n${banner}\n${warnings}`),
    section('summary', 'Summary', tableHtml(summaryTable(data))),
    section('latency', 'Latency distributions', `${tableHtml(latencyTable(data))}\n${distributions}`),
    ...serverSection(data),
    section(
      'over-time',
      'Latency, accuracy, throughput and power over time',
      `<p class="note">Shaded bands are segments (a policy, load or weight change starts one), labelled #index and what started it. Latency: p50 solid, p99 dashed.</p>\n${synthetic ? notMeaningful : ''}\n${noPower ? `<p class="not-measured">${escapeHtml(noPower)}</p>` : ''}\n<div class="row">${overTime}</div>`,
    ),
    section(
      'segments',
      'Per segment',
      `<p class="note">Each model's E2E p50${synthetic ? '' : ' and EM'} per segment; whiskers are 95% intervals (order statistics for the median, Wilson for EM), dotted where too few answers bound one side.</p>\n${synthetic ? notMeaningful.replace('EM over time', 'EM per segment') : ''}\n<div class="row">${perSegment}</div>`,
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
.scroll { max-width: 100%; overflow-x: auto; }
th, td { white-space: nowrap; }
.facts td, #slowest td { white-space: normal; overflow-wrap: anywhere; }
.not-measured { background: #f2f2f2; padding: 0.5em; border-left: 4px solid #999; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child, .facts td { text-align: left; }
#slowest td:nth-child(2), #slowest td:nth-child(3), #slowest td:nth-child(4) { text-align: left; max-width: 22em; overflow-wrap: anywhere; }
.note { color: #555; }
.synthetic { background: #fff4d6; padding: 0.5em; border-left: 4px solid #e0a800; }
.warning { color: #a33; }
.row { display: flex; flex-wrap: wrap; gap: 1em; }
.chart { position: relative; height: 260px; flex: 1 1 360px; min-width: 0; }
@media (max-width: 600px) {
  body { margin: 1em auto; padding: 0 0.5em; }
  .chart { flex-basis: 100%; height: 220px; }
  th, td { padding: 2px 4px; }
}
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

/** The servers' own view, when any server was scraped (nothing otherwise). */
function serverSection(data: ReportData): string[] {
  const table = serverTable(data);
  return table ? [section('server', table.title, `<p class="note">${escapeHtml(table.note ?? '')}</p>\n${tableHtml(table)}`)] : [];
}
