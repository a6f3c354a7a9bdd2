import { describe, expect, it } from 'vitest';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import { parseSessionLog } from '../../../source/core/session/reader.js';
import { buildReportData, renderReport } from '../../../source/core/session/report/index.js';
import { distribution } from '../../../source/core/session/report/distributions.js';
import { escapeHtml, escapeMarkdownCell, jsonForScript } from '../../../source/core/session/report/escape.js';
import { fakeHeader, fakeRunEvents, toJsonl } from './fake-run.js';

const EVIL_QUESTION = '</script><script>window.pwned=1</script> who?';
const EVIL_OUTPUT = '<img src=x onerror=alert(1)> | <b>bold</b>';

function evilLog() {
  const events = fakeRunEvents({
    questions: 24,
    questionText: (i) => (i === 11 ? EVIL_QUESTION : `question ${i}?`),
    // Question 11 is slow on B (mirror segment) so it lands among the slowest requests.
    prediction: (i) => (i === 11 ? EVIL_OUTPUT : undefined),
    slowB: 3,
  });
  return parseSessionLog(toJsonl(fakeHeader(), events), 'logs/evil.jsonl');
}

describe('distribution', () => {
  it('bins and CDF of hand-checked values', () => {
    const d = distribution([10, 40, 20, 30]);
    expect(d.stats).toMatchObject({ count: 4, mean: 25, p50: 20, p90: 40, max: 40 });
    expect(d.cdf).toEqual([[10, 0.25], [20, 0.5], [30, 0.75], [40, 1]]);
    // Log bins, five per decade: 10 in [10, 15.8), 20 in [15.8, 25.1), 30 in [25.1, 39.8), 40 in [39.8, 63.1).
    expect(d.bins.map((b) => b.count)).toEqual([1, 1, 1, 1]);
    expect(d.bins[0]!.fromMs).toBeCloseTo(10, 9);
    expect(d.bins[3]!.toMs).toBeCloseTo(63.0957, 3);
    // A shared range: the same edges for a model whose values cover only part of it.
    const shared = distribution([12, 13], [5, 8]);
    expect(shared.bins.map((b) => b.count)).toEqual([2, 0, 0, 0]);
    expect(distribution([0, 0]).bins).toEqual([{ fromMs: 0, toMs: 0, count: 2 }]);
    expect(distribution([])).toEqual({ stats: { count: 0 }, bins: [], cdf: [] });
  });
});

describe('report data', () => {
  const header = fakeHeader();
  const events = fakeRunEvents({ questions: 20 });
  const data = buildReportData(parseSessionLog(toJsonl(header, events), 'r.jsonl'));

  it('time series count every measured record once, per model, with the policy switch', () => {
    const records = events.flatMap((e) => (e.type === 'query-finished' && !e.record.warmup ? [e.record] : []));
    for (const slot of ['A', 'B'] as const) {
      expect(data.series.qps[slot].reduce((a, b) => a + b, 0)).toBe(records.filter((r) => r.model === slot).length);
      expect(data.series.tokensPerSec[slot].reduce((a, b) => a + b, 0)).toBe(records.filter((r) => r.model === slot).reduce((a, r) => a + r.outputTokens, 0));
    }
    const switchEvent = events.find((e) => e.type === 'policy-switch')!;
    expect(data.series.switches).toEqual([{ seconds: (switchEvent.t - 1000) / 1000, from: 'round-robin', to: 'mirror', segment: 1 }]);
    expect(data.series.power.length).toBe(events.filter((e) => e.type === 'telemetry').length);
  });

  it('per-segment accuracy agrees with the store per segment, and one scatter point per segment', () => {
    for (const segment of data.snapshot.segments) {
      const row = data.segmentAccuracy.find((r) => r.segment === segment.index && r.model === 'A+B')!;
      expect(row.em).toBeCloseTo(segment.em!, 10);
    }
    expect(data.scatter.map((p) => [p.segment, p.policy])).toEqual([[0, 'round-robin'], [1, 'mirror']]);
    for (const point of data.scatter) expect(point.joulesPerQuery).toBeGreaterThan(0);
  });

  it('slowest requests are sorted by end-to-end latency with a breakdown that adds up', () => {
    const e2e = data.slowest.map((r) => r.e2eMs);
    expect(e2e).toEqual([...e2e].sort((a, b) => b - a));
    for (const r of data.slowest) expect(r.ttftMs! + r.decodeMs! + r.postMs!).toBe(r.e2eMs);
  });
});

describe('renderReport', () => {
  it('json is the store fed with every event, snapshot at the last event, plus header facts', () => {
    const header = fakeHeader({ slo: { e2eMs: 120 } });
    const events = fakeRunEvents({ questions: 30, seed: 3 });
    const json = JSON.parse(renderReport(parseSessionLog(toJsonl(header, events), 'r.jsonl'), 'json')) as Record<string, unknown>;
    const store = new MetricsStore({ slo: { e2eMs: 120 } });
    for (const event of events) store.push(event);
    // Through JSON, as the file holds it (undefined fields dropped).
    expect(json.snapshot).toEqual(JSON.parse(JSON.stringify(store.snapshot(events[events.length - 1]!.t))));
    expect(json.header).toEqual({ duetVersion: '0.1.0', wallStart: header.wallStart, profileName: 'test-profile', host: header.host, models: header.models, dataset: header.dataset });
    expect([json.kind, json.complete]).toEqual(['duet-report', true]);
  });

  it('html: self-contained, untrusted text escaped everywhere, synthetic label shown', () => {
    const html = renderReport(evilLog(), 'html');
    expect(html).not.toContain('window.pwned=1</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escapeHtml(EVIL_QUESTION));
    expect(html).toContain(escapeHtml(EVIL_OUTPUT));
    // Only our three script elements; no network references.
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/);
    expect(html).toContain('new Chart(');
    expect(html).toContain('synthetic weights: timings are real, answers are not');
    expect(html).toContain('sha256 ' + 'ab'.repeat(32));
    for (const id of ['summary', 'latency', 'over-time', 'accuracy', 'energy', 'tradeoff', 'slowest']) expect(html).toContain(`<section id="${id}">`);
    const block = /<script type="application\/json" id="duet-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(block).not.toContain('<');
    expect(JSON.parse(block)).toHaveProperty('series.switches');
  });

  it('markdown: the same tables, cells escaped and one line each', () => {
    const md = renderReport(evilLog(), 'md');
    expect(md).toContain('## Summary');
    expect(md).toContain('| A+B |');
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt; \\| &lt;b&gt;bold&lt;/b&gt;');
    expect(md).not.toContain('<script');
  });
});

describe('escaping helpers', () => {
  it('escape what each format needs', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(jsonForScript({ q: '</script><!--&' })).toBe('{"q":"\\u003c/script\\u003e\\u003c!--\\u0026"}');
    expect(JSON.parse(jsonForScript({ q: '</script>\u2028' }))).toEqual({ q: '</script>\u2028' });
    expect(escapeMarkdownCell('a|b\nc <i>')).toBe('a\\|b c &lt;i&gt;');
  });
});

describe('slowest table cells', () => {
  it('cuts long questions and predictions to 80 characters with an ellipsis, and leaves short ones alone', async () => {
    const { shortText } = await import('../../../source/core/session/report/tables.js');
    expect(shortText('short')).toBe('short');
    const long = 'word '.repeat(40);
    expect(shortText(long)).toBe(`${long.slice(0, 79)}…`);
    expect([...shortText(long)]).toHaveLength(80);
    expect(shortText('é'.repeat(81))).toBe(`${'é'.repeat(79)}…`);
  });
});
