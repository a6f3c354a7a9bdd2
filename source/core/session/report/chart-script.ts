/**
 * The browser-side script of the HTML report: reads the data block and draws the charts
 * with the inlined Chart.js. Plain JavaScript in a string (it runs in the page, not in
 * Node); all text it shows goes through Chart.js canvas drawing, never innerHTML.
 * Latency axes are logarithmic (latency spans decades); both models share every axis;
 * segments are shaded on every chart over time; per-segment bars carry 95% intervals.
 */
export const CHART_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('duet-data').textContent);
  var colours = { A: '#2f7ed8', B: '#d9822b', power: '#8e44ad', energy: '#27ae60', marker: '#888' };
  var MODELS = ['A', 'B'];
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
  function msTick(v) { return v >= 1000 ? (v / 1000) + ' s' : v + ' ms'; }
  // Log axes label whole decades only (1 ms, 10 ms, ...), so labels never crowd.
  function logAxis(title, extra) {
    var scale = axis(title, { type: 'logarithmic', ticks: { callback: function (v) { var l = Math.log10(v); return Math.abs(l - Math.round(l)) < 1e-9 ? msTick(v) : null; }, autoSkip: false } });
    for (var k in extra || {}) scale[k] = extra[k];
    return scale;
  }
  // Segments shaded in alternating bands, labelled where the band is wide enough.
  var segmentBands = {
    id: 'segmentBands',
    beforeDatasetsDraw: function (c) {
      var x = c.scales.x, area = c.chartArea, ctx = c.ctx;
      ctx.save();
      ctx.font = '11px system-ui, sans-serif';
      data.series.segments.forEach(function (s, i) {
        var left = Math.max(area.left, x.getPixelForValue(s.from));
        var right = Math.min(area.right, x.getPixelForValue(s.to));
        if (right <= left) return;
        ctx.fillStyle = i % 2 === 0 ? 'rgba(0,0,0,0.03)' : 'rgba(0,0,0,0.08)';
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        var label = '#' + s.index + ' ' + s.label;
        if (ctx.measureText(label).width + 6 > right - left) label = '#' + s.index;
        if (ctx.measureText(label).width + 6 > right - left) return;
        ctx.fillStyle = '#555';
        ctx.fillText(label, left + 3, area.top + 11);
      });
      ctx.restore();
    }
  };
  // Whiskers from low to high on each bar (dataset.intervals[i] = [low, high]; null: open).
  var errorBars = {
    id: 'errorBars',
    afterDatasetsDraw: function (c) {
      var ctx = c.ctx, y = c.scales.y;
      ctx.save();
      ctx.strokeStyle = '#222';
      c.data.datasets.forEach(function (ds, d) {
        var meta = c.getDatasetMeta(d);
        (ds.intervals || []).forEach(function (iv, i) {
          var bar = meta.data[i];
          if (!bar || !iv) return;
          var top = iv[1] === null ? c.chartArea.top : y.getPixelForValue(iv[1]);
          var bottom = iv[0] === null ? c.chartArea.bottom : y.getPixelForValue(iv[0]);
          ctx.setLineDash(iv[0] === null || iv[1] === null ? [2, 2] : []);
          ctx.beginPath(); ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bottom);
          ctx.moveTo(bar.x - 4, top); ctx.lineTo(bar.x + 4, top);
          ctx.moveTo(bar.x - 4, bottom); ctx.lineTo(bar.x + 4, bottom); ctx.stroke();
        });
      });
      ctx.restore();
    }
  };
  function points(xs, ys) { return xs.map(function (x, i) { return { x: x, y: ys[i] }; }).filter(function (p) { return p.y !== null && p.y !== undefined; }); }
  function overTime(id, yScale, datasets, extraScales) {
    var scales = { x: axis('seconds since start', { type: 'linear' }), y: yScale };
    for (var k in extraScales || {}) scales[k] = extraScales[k];
    chart(id, { type: 'scatter', data: { datasets: datasets }, options: { showLine: true, scales: scales }, plugins: [segmentBands] });
  }
  var s = data.series;
  var w = s.windows;
  overTime('chart-latency-time', logAxis('E2E (ms), per ' + w.windowS + ' s window'), MODELS.map(function (m) {
    return [{ label: m + ' p50', data: points(w.seconds, w.e2eP50[m]), borderColor: colours[m], backgroundColor: colours[m], pointRadius: 2 },
      { label: m + ' p99', data: points(w.seconds, w.e2eP99[m]), borderColor: colours[m], backgroundColor: colours[m], borderDash: [5, 4], pointRadius: 0 }];
  }).reduce(function (a, b) { return a.concat(b); }, []));
  overTime('chart-em-time', axis('EM (%), per ' + w.windowS + ' s window', { min: 0, max: 100 }), MODELS.map(function (m) {
    return { label: 'model ' + m, data: points(w.seconds, w.em[m]), borderColor: colours[m], backgroundColor: colours[m], pointRadius: 2 };
  }));
  overTime('chart-qps', axis('queries/s', { beginAtZero: true }), MODELS.map(function (m) { return { label: 'model ' + m, data: points(s.seconds, s.qps[m]), borderColor: colours[m], backgroundColor: colours[m], pointRadius: 0 }; }));
  overTime('chart-tokens', axis('tokens/s', { beginAtZero: true }), MODELS.map(function (m) { return { label: 'model ' + m, data: points(s.seconds, s.tokensPerSec[m]), borderColor: colours[m], backgroundColor: colours[m], pointRadius: 0 }; }));
  // Energy: the power readings integrated (trapezoids) from the first one.
  var energy = [], joules = 0;
  s.power.forEach(function (p, i) { if (i > 0) joules += (p[0] - s.power[i - 1][0]) * (p[1] + s.power[i - 1][1]) / 2; energy.push({ x: p[0], y: joules / 1000 }); });
  overTime('chart-power', axis('device power (W)', { beginAtZero: true }), [
    { label: 'device power', data: s.power.map(function (p) { return { x: p[0], y: p[1] }; }), borderColor: colours.power, backgroundColor: colours.power, pointRadius: 1 },
    { label: 'energy (kJ, right)', data: energy, yAxisID: 'energy', borderColor: colours.energy, backgroundColor: colours.energy, pointRadius: 0 }
  ], { energy: axis('energy (kJ)', { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } }) });

  ['ttft', 'tpot', 'e2e'].forEach(function (metric) {
    var name = metric.toUpperCase();
    chart('chart-cdf-' + metric, { type: 'scatter', data: { datasets: MODELS.map(function (m) {
      return { label: 'model ' + m, data: data.distributions[m][metric].cdf.filter(function (p) { return p[0] > 0; }).map(function (p) { return { x: p[0], y: p[1] }; }), showLine: true, stepped: true, borderColor: colours[m], backgroundColor: colours[m], pointRadius: 0 };
    }) }, options: { scales: { x: logAxis(name + ' (ms, log)'), y: axis('fraction of requests', { min: 0, max: 1 }) } } });
    var bins = data.distributions.A[metric].bins.length > 0 ? data.distributions.A[metric].bins : data.distributions.B[metric].bins;
    chart('chart-hist-' + metric, { type: 'bar', data: {
      labels: bins.map(function (b) { return b.fromMs < 10 ? b.fromMs.toFixed(1) : b.fromMs >= 1000 ? (b.fromMs / 1000).toFixed(1) + 's' : Math.round(b.fromMs); }),
      datasets: MODELS.map(function (m) { return { label: 'model ' + m, data: data.distributions[m][metric].bins.map(function (b) { return b.count; }), backgroundColor: colours[m], barPercentage: 1, categoryPercentage: 0.9 }; })
    }, options: { scales: { x: axis(name + ' (ms, bin start; 5 bins per decade)'), y: axis('requests', { beginAtZero: true }) } } });
  });

  // Per segment and model: E2E p50 and EM with their 95% intervals.
  var segs = data.segments.filter(function (g) { return g.models; });
  function segmentBars(id, title, pick, yScale) {
    chart(id, { type: 'bar', data: { labels: segs.map(function (g) { return '#' + g.index + ' ' + g.policy; }), datasets: MODELS.map(function (m) {
      var values = segs.map(function (g) { return pick(g.models[m]); });
      return { label: 'model ' + m, data: values.map(function (v) { return v ? v.value : null; }), intervals: values.map(function (v) { return v ? [v.low === undefined ? null : v.low, v.high === undefined ? null : v.high] : null; }), backgroundColor: colours[m] };
    }) }, options: { scales: { x: axis('segment'), y: yScale } }, plugins: [errorBars] });
  }
  segmentBars('chart-segment-latency', 'E2E p50', function (f) { return f.e2eP50; }, axis('E2E p50 (ms), 95% interval', { beginAtZero: true }));
  segmentBars('chart-segment-em', 'EM', function (f) { return f.em && f.em.value !== undefined ? f.em : undefined; }, axis('EM (%), 95% interval', { min: 0, max: 100 }));

  var labelPoints = {
    id: 'labelPoints',
    afterDatasetsDraw: function (c) {
      var ctx = c.ctx;
      ctx.save(); ctx.fillStyle = '#222'; ctx.font = '11px system-ui, sans-serif';
      c.data.datasets.forEach(function (ds, d) { var el = c.getDatasetMeta(d).data[0]; if (el) ctx.fillText(ds.short, el.x + 8, el.y - 8); });
      ctx.restore();
    }
  };
  var withEnergy = data.scatter.filter(function (p) { return p.joulesPerQuery !== undefined; });
  var maxJ = Math.max.apply(null, withEnergy.map(function (p) { return p.joulesPerQuery; }).concat([1e-9]));
  chart('chart-scatter', { type: 'bubble', data: { datasets: data.scatter.filter(function (p) { return p.e2eP50Ms !== undefined && p.em !== undefined; }).map(function (p, i) {
    return { label: 'segment ' + p.segment + ' ' + p.policy + (p.joulesPerQuery === undefined ? '' : ' (' + p.joulesPerQuery.toFixed(2) + ' J/query)'), short: '#' + p.segment,
      data: [{ x: p.e2eP50Ms, y: p.em, r: p.joulesPerQuery === undefined ? 5 : 5 + 20 * p.joulesPerQuery / maxJ }],
      backgroundColor: 'hsla(' + (i * 67 % 360) + ', 60%, 50%, 0.6)' };
  }) }, options: { scales: { x: logAxis('p50 end-to-end latency (ms, log)'), y: axis('EM (%)', { min: 0, max: 100 }) } }, plugins: [labelPoints] });
  // Lets a headless browser (and the report test) see that every chart was built, and whether anything is wider than the page.
  document.body.setAttribute('data-charts', String(drawn));
  var wide = [];
  document.querySelectorAll('section, .scroll, table, .chart, canvas, h1, h2, p').forEach(function (el) {
    var r = el.getBoundingClientRect();
    var clip = el.closest('.scroll');
    if (r.right > document.documentElement.clientWidth + 1 && !(clip && clip !== el)) wide.push(el.id || el.tagName.toLowerCase());
  });
  document.body.setAttribute('data-overflow', wide.join(' ') || 'none');
})();
`;
