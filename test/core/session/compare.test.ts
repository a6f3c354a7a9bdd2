import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { compareLogs, intervalsOverlap } from '../../../source/core/session/compare.js';
import { compareTables, renderCompareHtml, renderCompareText } from '../../../source/core/session/compare-render.js';
import type { SessionLogData } from '../../../source/core/session/reader.js';
import { finished, issued, record, runStart } from '../metrics/fixtures.js';
import { fakeHeader } from './fake-run.js';

/**
 * A hand-made log: round-robin for 1 s (4 questions to A, e2e `aE2e`, EM 1,1,0,0), then
 * large-only for 1 s (10 questions to B, e2e 50 ms, EM `bEm` each).
 */
function handLog(path: string, aE2e: number[], bEm: number): SessionLogData {
  const events: RunEvent[] = [runStart(0, 'round-robin')];
  aE2e.forEach((e2e, i) => {
    events.push(issued(i, i * 10));
    events.push(finished(record(i, i * 10, { tDone: i * 10 + e2e, em: i < 2 ? 1 : 0, f1: i < 2 ? 1 : 0 })));
  });
  events.push({ type: 'policy-switch', t: 1000, from: 'round-robin', to: 'large-only', segment: 1 });
  for (let i = 0; i < 10; i++) {
    const seq = 4 + i;
    const t = 1000 + 10 * i;
    events.push(issued(seq, t, ['B'], { segment: 1, policy: 'large-only' }));
    events.push(finished(record(seq, t, { model: 'B', policy: 'large-only', segment: 1, tDone: t + 50, em: bEm, f1: bEm })));
  }
  events.push({ type: 'run-end', t: 2000, reason: 'finished' });
  events.sort((a, b) => a.t - b.t);
  return { path, header: fakeHeader(), events, warnings: [], complete: true };
}

const first = handLog('logs/one.jsonl', [100, 200, 300, 400], 1);
const second = handLog('logs/two.jsonl', [150, 250, 350, 450], 0);

describe('compareLogs', () => {
  const comparison = compareLogs([first, second]);
  const group = (title: string) => comparison.groups.find((g) => g.title === title)!;

  it('has per-model rows, and per-policy rows because the logs switched policy', () => {
    expect(comparison.groups.map((g) => g.title)).toEqual([
      'model A', 'model B', 'A+B',
      'policy round-robin, model A', 'policy round-robin, model B', 'policy round-robin, A+B',
      'policy large-only, model A', 'policy large-only, model B', 'policy large-only, A+B',
    ]);
    expect(comparison.logs.map((l) => l.name)).toEqual(['one.jsonl', 'two.jsonl']);
  });

  it('per-policy figures are exact, over the time each policy ran', () => {
    const [a1, a2] = group('policy round-robin, model A').figures;
    expect(a1).toMatchObject({ completed: 4, p50: 200, p90: 400, p99: 400, qps: 4, tokensPerSec: 20, goodput: 4 });
    expect(a2).toMatchObject({ completed: 4, p50: 250, p90: 450, qps: 4 });
    expect(a1!.em).toMatchObject({ value: 50, n: 4 });
    const [b1, b2] = group('policy large-only, model B').figures;
    expect(b1).toMatchObject({ completed: 10, p50: 50, qps: 10 });
    expect(b1!.em.value).toBe(100);
    expect(b1!.em.low).toBeCloseTo(72.25, 1);
    expect(b2!.em.value).toBe(0);
    expect(b2!.em.high).toBeCloseTo(27.75, 1);
    // No B records under round-robin: counts are 0 and no latency is invented.
    expect(group('policy round-robin, model B').figures[0]).toMatchObject({ completed: 0, p50: undefined, em: { n: 0 } });
  });

  it('marks EM differences as not significant only when the intervals overlap', () => {
    expect(intervalsOverlap({ value: 50, low: 15, high: 85, n: 4 }, { value: 50, low: 15, high: 85, n: 4 })).toBe(true);
    expect(intervalsOverlap({ value: 100, low: 72.2, high: 100, n: 10 }, { value: 0, low: 0, high: 27.8, n: 10 })).toBe(false);
    expect(intervalsOverlap({ n: 0 }, { value: 0, low: 0, high: 27.8, n: 10 })).toBe(true);
    const tables = compareTables(comparison);
    const cells = (title: string, label: string) => tables.find((t) => t.title === title)!.rows.find((r) => r[0] === label)!;
    expect(cells('policy round-robin, model A', 'p50 E2E')).toEqual(['p50 E2E', '200 ms', '250 ms (+50 ms, +25.0%, worse)']);
    expect(cells('policy round-robin, model A', 'EM [95%]')[2]).toMatch(/^50\.0% \[15\.0, 85\.0\] n=4 \(\+0\.0 pp, n\.s\.\)$/);
    expect(cells('policy large-only, model B', 'EM [95%]')).toEqual(['EM [95%]', '100.0% [72.2, 100.0] n=10', '0.0% [0.0, 27.8] n=10 (-100.0 pp, worse)']);
    expect(cells('model B', 'EM [95%]')[2]).toBe('0.0% [0.0, 27.8] n=10 (-100.0 pp, worse)');
    expect(cells('model A', 'EM [95%]')[2]).toContain('n.s.');
    // The run length is a count, not a delta to mark.
    expect(cells('model A', 'done').every((c) => !c.includes('('))).toBe(true);
    // No power in these logs: no J/correct row at all (not a row of dashes).
    expect(tables.find((t) => t.title === 'A+B')!.rows.map((r) => r[0])).not.toContain('J/correct');
    // B never answered under round-robin in these logs: that group is left out.
    expect(tables.map((t) => t.title)).not.toContain('policy round-robin, model B');
  });

  it('three logs: every delta is against the first; same file names get their paths', () => {
    const third = handLog('other/one.jsonl', [100, 200, 300, 400], 1);
    const c = compareLogs([first, second, third]);
    expect(c.logs.map((l) => l.name)).toEqual(['logs/one.jsonl', 'two.jsonl', 'other/one.jsonl']);
    const row = compareTables(c).find((t) => t.title === 'policy round-robin, model A')!.rows.find((r) => r[0] === 'p50 E2E');
    expect(row).toEqual(['p50 E2E', '200 ms', '250 ms (+50 ms, +25.0%, worse)', '200 ms (+0 ms, +0.0%, same)']);
  });

  it('no per-policy rows when no log switched policy; renders text and escaped html', () => {
    const single = (path: string): SessionLogData => ({ ...first, path, events: first.events.filter((e) => e.t < 1000 || e.type === 'run-end') });
    const c = compareLogs([single('a.jsonl'), single('<b>.jsonl')]);
    expect(c.groups.map((g) => g.title)).toEqual(['model A', 'model B', 'A+B']);
    expect(renderCompareText(c)).toContain('Deltas are against the first log, marked better or worse.');
    const html = renderCompareHtml(c);
    expect(html).toContain('&lt;b&gt;.jsonl');
    expect(html).not.toContain('<b>.jsonl');
  });
});

describe('compare and the measuring guard', () => {
  it('flags a log whose run was client-bound, next to its name, and no other', () => {
    const bound = handLog('logs/bound.jsonl', [100, 200, 300, 400], 1);
    const sample = { intervalMs: 1000, main: { loopDelayP99Ms: 1, loopDelayMaxMs: 2, utilisation: 0.5 }, plane: { loopDelayP99Ms: 27, loopDelayMaxMs: 40, utilisation: 0.5, workers: 1, streams: 9 }, verdict: 'bound' as const, inflationMs: 27, reason: 'client thread stalls p99 27 ms' };
    bound.events.splice(-1, 0, { type: 'measuring', t: 1500, sample }, { type: 'measuring', t: 1900, sample: { ...sample, verdict: 'ok', inflationMs: 0.5 } });
    const comparison = compareLogs([first, bound]);
    expect(comparison.logs[0]!.timing).toBeUndefined();
    expect(comparison.logs[1]!.timing).toBe('client-bound for 50% of the run: timestamps may be late by up to 27 ms');
    expect(renderCompareText(comparison)).toContain('2. bound.jsonl: logs/bound.jsonl (profile test-profile), A small, B large — client-bound for 50% of the run: timestamps may be late by up to 27 ms');
  });
});

describe('compare rendering', () => {
  it('keeps one unit per latency row and marks lower latency better, higher throughput better', async () => {
    const { latencyUnit } = await import('../../../source/core/session/compare-render.js');
    expect(latencyUnit([900, 9_999])).toBe('ms');
    expect(latencyUnit([900, 12_500])).toBe('s');
    const slow = handLog('logs/slow.jsonl', [9000, 12_000, 15_000, 18_000], 1);
    const fast = handLog('logs/fast.jsonl', [100, 200, 300, 400], 1);
    const row = compareTables(compareLogs([slow, fast])).find((t) => t.title === 'model A')!.rows.find((r) => r[0] === 'p50 E2E')!;
    expect(row[1]).toMatch(/^\d+\.\d\d s$/);
    expect(row[2]).toMatch(/^0\.\d\d s \(-\d+\.\d\d s, -\d+\.\d%, better\)$/);
  });

  it('draws bar charts in the html page, without any script', () => {
    const html = renderCompareHtml(compareLogs([first, second]));
    expect(html).toContain('<svg');
    expect(html).toContain('model A: p50 E2E (lower is better)');
    expect(html).not.toContain('<script');
  });
});
