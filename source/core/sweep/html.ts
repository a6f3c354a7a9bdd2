/**
 * The sweep's HTML report: one self-contained file (the report module's inlined Chart.js,
 * data in a JSON script block): attainment, latency and goodput against offered load,
 * the Pareto chart, the table and the recommendation. Latency axes are logarithmic when
 * the values span more than a decade.
 */
import { fixed, NA } from '../headless/format.js';
import { escapeHtml, jsonForScript } from '../session/report/escape.js';
import { chartJsSource } from '../session/report/html.js';
import { formatProportion, sloText } from './results.js';
import { bracket, type SweepSummary } from './summary.js';

const SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('sweep-data').textContent);
  var palette = ['#2f7ed8', '#d9822b', '#27ae60', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#f1c40f'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var drawn = 0;
  function draw(id, config) { var canvas = document.getElementById(id); if (canvas) { new Chart(canvas, config); drawn++; } }
  var loadTitle = data.mode === 'rate' ? 'offered load (questions/s)' : 'concurrency';
  function axis(title, extra) { var s = { title: { display: true, text: title } }; for (var k in extra || {}) s[k] = extra[k]; return s; }
  function spansDecades(values) {
    var v = values.filter(function (x) { return x > 0; });
    return v.length > 1 && Math.max.apply(null, v) / Math.min.apply(null, v) >= 10;
  }
  function curve(id, yTitle, pick, yExtra) {
    var all = [];
    var sets = data.policies.map(function (p, i) {
      var pts = p.probes.slice().sort(function (a, b) { return a.load - b.load; })
        .filter(function (q) { return pick(q) !== undefined; })
        .map(function (q) { all.push(pick(q)); return { x: q.load, y: pick(q) }; });
      return { label: p.policy, data: pts, showLine: true, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length] };
    });
    var y = yExtra === 'latency' ? axis(yTitle, spansDecades(all) ? { type: 'logarithmic' } : { beginAtZero: true }) : axis(yTitle, yExtra || { beginAtZero: true });
    var loads = [];
    data.policies.forEach(function (p) { p.probes.forEach(function (q) { loads.push(q.load); }); });
    var x = axis(loadTitle, spansDecades(loads) ? { type: 'logarithmic' } : {});
    draw(id, { type: 'scatter', data: { datasets: sets }, options: { scales: { x: x, y: y } } });
  }
  curve('chart-attainment', 'SLO attainment (%)', function (q) { return q.attainment.value; }, { min: 0, max: 100 });
  curve('chart-p99', 'e2e p99 (ms)', function (q) { return q.e2eP99; }, 'latency');
  curve('chart-p50', 'e2e p50 (ms)', function (q) { return q.e2eP50; }, 'latency');
  curve('chart-goodput', 'goodput (on-time answers/s)', function (q) { return q.goodput; });
  var front = data.policies.filter(function (p) { return p.at; }).map(function (p, i) {
    var onFront = data.pareto.indexOf(p.policy) >= 0;
    return { label: p.policy + (onFront ? ' (Pareto)' : ''), data: [{ x: p.capacity, y: p.at.em.value }], pointRadius: onFront ? 8 : 5, pointStyle: onFront ? 'rectRot' : 'circle', borderColor: palette[data.policies.indexOf(p) % palette.length], backgroundColor: palette[data.policies.indexOf(p) % palette.length] };
  });
  draw('chart-pareto', { type: 'scatter', data: { datasets: front }, options: { scales: { x: axis('capacity under the SLO (' + (data.mode === 'rate' ? 'q/s' : 'concurrency') + ')', { beginAtZero: true }), y: axis('EM at capacity (%)', { min: 0, max: 100 }) } } });
  document.body.setAttribute('data-charts', String(drawn));
})();
`;

export function renderSweepHtml(summary: SweepSummary): string {
  const unit = summary.mode === 'rate' ? 'q/s' : 'concurrency';
  const head = ['policy', `capacity (${unit})`, 'bracket', 'EM at capacity', 'F1', 'goodput q/s', 'correct on time/s', 'J/correct', 'q/s/W', 'probes'];
  const rows = summary.policies.map((row) =>
    [
      `${row.policy}${summary.pareto.includes(row.policy) ? ' (Pareto)' : ''}`,
      row.capacity === undefined ? NA : String(row.capacity),
      bracket(row),
      row.at ? formatProportion(row.at.em) : NA,
      fixed(row.at?.f1, 1),
      fixed(row.at?.goodput),
      fixed(row.at?.correctWithinSloPerSec),
      fixed(row.at?.joulesPerCorrect, 1),
      fixed(row.at?.qpsPerW, 3),
      row.probes.map((p) => `${p.load}: ${p.verdict}${p.overSaturated ? ' (over-saturated)' : ''}`).join(', '),
    ].map((cell) => `<td>${escapeHtml(cell)}</td>`).join(''),
  );
  const table = `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r}</tr>`).join('\n')}</tbody></table>`;
  const canvas = (id: string, label: string) => `<div class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(label)}"></canvas></div>`;
  const notes = [
    summary.synthetic ? '<p class="synthetic">EM and F1 come from synthetic-weight models: their timings are real, their answers are not.</p>' : '',
    summary.interrupted ? '<p class="warning">The sweep was interrupted: some searches did not finish.</p>' : '',
  ].join('\n');
  const chartData = { mode: summary.mode, pareto: summary.pareto, policies: summary.policies };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>duet sweep: ${escapeHtml(sloText(summary.slo))}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child, td:last-child { text-align: left; }
.recommendation { font-size: 1.1em; background: #eef6ee; padding: 0.6em; border-left: 4px solid #27ae60; }
.synthetic { background: #fff4d6; padding: 0.5em; border-left: 4px solid #e0a800; }
.warning { color: #a33; }
.row { display: flex; flex-wrap: wrap; gap: 1em; }
.chart { position: relative; height: 280px; flex: 1 1 420px; min-width: 300px; }
</style>
</head>
<body>
<h1>duet sweep</h1>
<p>Capacity of each policy under ${escapeHtml(sloText(summary.slo))} for ${escapeHtml(fixed(summary.attainment * 100, 1))}% of questions (${escapeHtml(summary.mode)} mode)${summary.logPath ? `; session log <code>${escapeHtml(summary.logPath)}</code>` : ''}.</p>
<p class="recommendation">${escapeHtml(summary.recommendation)}</p>
${notes}
<section id="table"><h2>Capacity per policy</h2>${table}
<p>Capacity: the highest load whose probe passed (the Wilson 95% interval of its SLO attainment at or above the target), below every failing one; the bracket is [capacity, first failing load). Figures are those of the probe at capacity.</p></section>
<section id="pareto"><h2>Pareto set (capacity vs EM)</h2><div class="row">${canvas('chart-pareto', 'capacity against EM per policy')}</div></section>
<section id="curves"><h2>Against offered load</h2>
<div class="row">${canvas('chart-attainment', 'SLO attainment against load')}${canvas('chart-goodput', 'goodput against load')}</div>
<div class="row">${canvas('chart-p50', 'e2e p50 against load')}${canvas('chart-p99', 'e2e p99 against load')}</div></section>
<script type="application/json" id="sweep-data">${jsonForScript(chartData)}</script>
<script>${chartJsSource()}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
