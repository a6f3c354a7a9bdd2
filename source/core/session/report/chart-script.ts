/**
 * The browser-side script of the HTML report: reads the data block and draws the charts
 * with the inlined Chart.js. Plain JavaScript in a string (it runs in the page, not in
 * Node); all text it shows goes through Chart.js canvas drawing, never innerHTML.
 */
export const CHART_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('duet-data').textContent);
  var colours = { A: '#2f7ed8', B: '#d9822b', power: '#8e44ad', marker: '#888' };
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  var drawn = 0;
  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); drawn++; }
  }
  function axis(title, extra) {
    var scale = { title: { display: true, text: title } };
    for (var k in extra || {}) scale[k] = extra[k];
    return scale;
  }
  // Vertical lines at policy switches, labelled with the new policy.
  var switchMarkers = {
    id: 'switchMarkers',
    afterDatasetsDraw: function (c) {
      var x = c.scales.x, area = c.chartArea, ctx = c.ctx;
      data.series.switches.forEach(function (s) {
        var px = x.getPixelForValue(s.seconds);
        if (px < area.left || px > area.right) return;
        ctx.save();
        ctx.strokeStyle = colours.marker;
        ctx.setLineDash([4, 4]);
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.fillStyle = colours.marker;
        ctx.fillText(s.to, px + 3, area.top + 10);
        ctx.restore();
      });
    }
  };
  function points(xs, ys) { return xs.map(function (x, i) { return { x: x, y: ys[i] }; }); }
  function overTime(id, yTitle, datasets) {
    chart(id, { type: 'scatter', data: { datasets: datasets }, options: { showLine: true, scales: { x: axis('seconds since start'), y: axis(yTitle, { beginAtZero: true }) } }, plugins: [switchMarkers] });
  }
  var s = data.series;
  overTime('chart-qps', 'queries/s', ['A', 'B'].map(function (m) { return { label: 'model ' + m, data: points(s.seconds, s.qps[m]), borderColor: colours[m], backgroundColor: colours[m], pointRadius: 0 }; }));
  overTime('chart-tokens', 'tokens/s', ['A', 'B'].map(function (m) { return { label: 'model ' + m, data: points(s.seconds, s.tokensPerSec[m]), borderColor: colours[m], backgroundColor: colours[m], pointRadius: 0 }; }));
  overTime('chart-power', 'device power (W)', [{ label: 'device power', data: s.power.map(function (p) { return { x: p[0], y: p[1] }; }), borderColor: colours.power, backgroundColor: colours.power, pointRadius: 1 }]);

  ['ttft', 'tpot', 'e2e'].forEach(function (metric) {
    chart('chart-cdf-' + metric, { type: 'scatter', data: { datasets: ['A', 'B'].map(function (m) {
      return { label: 'model ' + m, data: data.distributions[m][metric].cdf.map(function (p) { return { x: p[0], y: p[1] }; }), showLine: true, stepped: true, borderColor: colours[m], backgroundColor: colours[m], pointRadius: 0 };
    }) }, options: { scales: { x: axis(metric.toUpperCase() + ' (ms)'), y: axis('fraction of requests', { min: 0, max: 1 }) } } });
    ['A', 'B'].forEach(function (m) {
      var bins = data.distributions[m][metric].bins;
      chart('chart-hist-' + metric + '-' + m, { type: 'bar', data: {
        labels: bins.map(function (b) { return Math.round((b.fromMs + b.toMs) / 2); }),
        datasets: [{ label: 'model ' + m + ' ' + metric.toUpperCase(), data: bins.map(function (b) { return b.count; }), backgroundColor: colours[m], barPercentage: 1, categoryPercentage: 1 }]
      }, options: { scales: { x: axis(metric.toUpperCase() + ' (ms, bin centre)'), y: axis('requests', { beginAtZero: true }) } } });
    });
  });

  var withEnergy = data.scatter.filter(function (p) { return p.joulesPerQuery !== undefined; });
  var maxJ = Math.max.apply(null, withEnergy.map(function (p) { return p.joulesPerQuery; }).concat([1e-9]));
  chart('chart-scatter', { type: 'bubble', data: { datasets: data.scatter.filter(function (p) { return p.e2eP50Ms !== undefined && p.em !== undefined; }).map(function (p, i) {
    return { label: 'segment ' + p.segment + ' ' + p.policy + (p.joulesPerQuery === undefined ? '' : ' (' + p.joulesPerQuery.toFixed(2) + ' J/query)'),
      data: [{ x: p.e2eP50Ms, y: p.em, r: p.joulesPerQuery === undefined ? 5 : 5 + 20 * p.joulesPerQuery / maxJ }],
      backgroundColor: 'hsla(' + (i * 67 % 360) + ', 60%, 50%, 0.6)' };
  }) }, options: { scales: { x: axis('p50 end-to-end latency (ms)'), y: axis('EM (%)', { min: 0, max: 100 }) } } });
  // Lets a headless browser (and the report test) see that every chart was built.
  document.body.setAttribute('data-charts', String(drawn));
})();
`;
