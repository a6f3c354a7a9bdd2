import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import type { Snapshot } from '../../../source/core/metrics/snapshot.js';
import type { QueryRecord } from '../../../source/core/query.js';
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
  it('json: the figures of every event up to the last, worked out by hand, plus header facts', () => {
    // Three measured questions after a warm-up one: A answers right in 80 ms, B half right
    // in 120 ms (over the 100 ms SLO), A fails; the card draws a steady 200 W.
    const header = fakeHeader({ slo: { e2eMs: 100 } });
    const record = (r: Partial<QueryRecord> & Pick<QueryRecord, 'seq' | 'model' | 'tIssued' | 'tEnqueued' | 'tDone'>): QueryRecord => ({
      id: `${r.seq}:${r.model}`, questionId: `q${r.seq}`, policy: 'round-robin', segment: 0, warmup: false, promptTokens: 50, contextTrimmed: false,
      outputTokens: 3, gold: ['Paris'], answerable: true, finishReason: 'stop', ...r,
    });
    const watts = (t: number): RunEvent => ({ type: 'telemetry', t, sample: { source: 'npu-smi', t, devices: [{ id: 'npu0.0', powerW: 200, utilPct: 50 }] } });
    const issued = (seq: number, t: number, model: 'A' | 'B', warmup = false): RunEvent => ({ type: 'query-issued', t, seq, questionId: `q${seq}`, targets: [model], policy: 'round-robin', segment: 0, warmup });
    const events: RunEvent[] = [
      { type: 'run-start', t: 0, wallStart: header.wallStart, policy: 'round-robin', load: { mode: 'closed', concurrency: 1 }, weight: 0.5, models: header.models, totalQuestions: 3 },
      issued(0, 10, 'A', true),
      { type: 'query-finished', t: 60, record: record({ seq: 0, model: 'A', warmup: true, tIssued: 10, tEnqueued: 11, tDone: 60, em: 0, f1: 0 }) },
      issued(1, 100, 'A'),
      watts(100),
      { type: 'query-finished', t: 180, record: record({ seq: 1, model: 'A', tIssued: 100, tEnqueued: 104, tStart: 110, tFirstToken: 130, tEnd: 170, tokenTimes: [130, 150, 170], tDone: 180, prediction: 'Paris', em: 1, f1: 1 }) },
      issued(2, 200, 'B'),
      watts(200),
      watts(300),
      issued(3, 300, 'A'),
      { type: 'query-finished', t: 320, record: record({ seq: 2, model: 'B', promptTokens: 60, tIssued: 200, tEnqueued: 202, tStart: 212, tFirstToken: 262, tEnd: 302, tokenTimes: [262, 282, 302], tDone: 320, prediction: 'in Paris', em: 0, f1: 0.5 }) },
      { type: 'query-failed', t: 350, record: record({ seq: 3, model: 'A', tIssued: 300, tEnqueued: 301, tDone: 350, outputTokens: 0, error: 'HTTP 500 from server', finishReason: 'error' }) },
      watts(400),
      { type: 'run-end', t: 400, reason: 'finished' },
    ];
    const json = JSON.parse(renderReport(parseSessionLog(toJsonl(header, events), 'r.jsonl'), 'json')) as { snapshot: Snapshot; header: unknown; kind: string; complete: boolean };
    const { snapshot, snapshot: { combined } } = json;
    // At the last event; measured from the first measured question (t 100) to the end (t 400): 0.3 s.
    expect([snapshot.t, snapshot.elapsedMs, snapshot.measuredMs]).toEqual([400, 400, 300]);
    expect([snapshot.issued, snapshot.done, snapshot.total, snapshot.policy]).toEqual([3, 3, 3, 'round-robin']);
    // The warm-up question counts nowhere.
    expect([combined.completed, combined.errors, combined.inputTokens, combined.outputTokens, combined.onTime, combined.exact]).toEqual([2, 1, 110, 6, 1, 1]);
    expect([snapshot.models.A.completed, snapshot.models.A.errors, snapshot.models.B.completed, snapshot.models.B.errors]).toEqual([1, 1, 1, 0]);
    // e2e 180-100 = 80 and 320-200 = 120; TTFT from the send: 130-104 = 26 and 262-202 = 60.
    expect(combined.latency.e2e.run).toMatchObject({ count: 2, mean: 100, max: 120 });
    expect(combined.latency.ttft.run).toMatchObject({ count: 2, mean: 43, max: 60 });
    // TPOT (170-130)/2 = 20 and (302-262)/2 = 20; queue 6 and 10.
    expect(combined.latency.tpot.run).toMatchObject({ count: 2, mean: 20 });
    expect(combined.latency.queue.run).toMatchObject({ count: 2, mean: 8, max: 10 });
    // 2 answers, 6 tokens and 1 on time in 0.3 s.
    expect(combined.throughput.qpsRun).toBeCloseTo(2 / 0.3, 9);
    expect(combined.throughput.tokensPerSecRun).toBeCloseTo(20, 9);
    expect(combined.throughput.goodput).toBeCloseTo(1 / 0.3, 9);
    // EM 1 of 2; F1 (1 + 0.5) / 2.
    expect(combined.accuracy.em).toMatchObject({ value: 50, n: 2 });
    expect(combined.accuracy.f1).toBeCloseTo(75, 9);
    // 200 W over the 0.3 s window: 60 J, 30 J per answer.
    expect(combined.energy.joules).toBeCloseTo(60, 6);
    expect(combined.energy.meanPowerW).toBeCloseTo(200, 6);
    expect(combined.energy.joulesPerQuery).toBeCloseTo(30, 6);
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

describe('report time series', () => {
  it('counts tokens in the second they arrived, the answer in the second it finished', async () => {
    const { timeSeriesOf } = await import('../../../source/core/session/report/series.js');
    const events = [{ type: 'run-start', t: 0 }, { type: 'warning', t: 4000, message: 'end' }] as unknown as Parameters<typeof timeSeriesOf>[0];
    const record = { model: 'B', tIssued: 0, tDone: 3500, outputTokens: 5, tokenTimes: [500, 900, 1500, 2500, 2600] } as QueryRecord;
    const series = timeSeriesOf(events, [record]);
    expect(series.tokensPerSec.B).toEqual([2, 1, 2, 0]);
    expect(series.qps.B).toEqual([0, 0, 0, 1]);
  });
});
