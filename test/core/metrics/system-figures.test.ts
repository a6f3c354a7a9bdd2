import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { DuetCollector } from '../../../source/core/exporter/collector.js';
import type { RunEvent } from '../../../source/core/events.js';
import { summaryText } from '../../../source/core/headless/summary.js';
import type { Snapshot } from '../../../source/core/metrics/snapshot.js';
import { compareLogs } from '../../../source/core/session/compare.js';
import { buildReportData } from '../../../source/core/session/report/data.js';
import { summaryTable } from '../../../source/core/session/report/tables.js';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';
import { fakeHeader } from '../session/fake-run.js';
import { goldEngine, makeProfile, makeQuestions, startHarness } from '../run/harness.js';

/**
 * The system's figures (the A+B row: one per question) on real runs of fake engines in
 * virtual time, checked by hand and checked to agree across the store's snapshot, the
 * headless summary, the report and compare. Timings of the fake engines: a first token
 * after the prefill, then one per perTokenMs; "answer i" is two tokens, '' one.
 */
async function run(policy: 'mirror' | 'cascade', engines: (time: VirtualTime) => Parameters<typeof startHarness>[0]['engines'], questions: number) {
  const time = new VirtualTime();
  const profile = makeProfile({ workload: { limit: questions, load: { mode: 'closed', concurrency: 1 } }, scheduler: { policy } });
  const h = await startHarness({ profile, time, engines: engines(time), questions: makeQuestions(questions, 0) });
  await time.runAll();
  const outcome = await h.run.finished;
  const log = { path: `${policy}.jsonl`, header: fakeHeader(), events: h.events as RunEvent[], warnings: [], complete: true };
  return { outcome, snapshot: outcome.snapshot, log };
}

function systemRowOf(text: string): string[] {
  return text.split('\n').find((line) => line.startsWith('A+B'))!.trim().split(/\s{2,}/);
}

/** Every place that shows the system's row says the same thing: summary, report, compare, segments, /metrics. */
async function expectAgreement(snapshot: Snapshot, log: Parameters<typeof buildReportData>[0], summary: string) {
  const c = snapshot.combined;
  const row = systemRowOf(summary);
  expect(row[1]).toBe(String(c.completed));
  expect(row[4]).toBe(`${c.accuracy.em.value!.toFixed(1)}%`);
  const report = summaryTable(buildReportData(log)).rows.find((r) => r[0] === 'A+B')!;
  expect(report[1]).toBe(String(c.completed));
  expect(report[4]).toMatch(new RegExp(`^${c.accuracy.em.value!.toFixed(1)}% .* n=${c.accuracy.em.n}$`));
  const compared = compareLogs([log]).groups.find((g) => g.model === 'A+B' && g.policy === undefined)!.figures[0]!;
  expect(compared.completed).toBe(c.completed);
  expect(compared.em).toEqual(c.accuracy.em);
  expect(snapshot.segments.reduce((sum, s) => sum + s.completed, 0)).toBe(c.completed);
  const families = parsePrometheusTextFormat(await new DuetCollector({ snapshot: () => snapshot }).scrape());
  const counter = (name: string) => Number(families.find((f) => f.name === name)!.metrics.find((m) => m.labels?.['model'] === 'system')!.value);
  expect(counter('duet_queries_total')).toBe(c.completed);
  expect((100 * counter('duet_exact_match_total')) / counter('duet_scored_total')).toBeCloseTo(c.accuracy.em.value!, 9);
}

describe('the system figures (A+B): one per question, the answer the policy used', () => {
  it('mirror: one pair per question, timed by its slower answer, EM over both answers; each model keeps its row', async () => {
    // A: first token at 10 ms, second at 11 (e2e 11). B: 30 and 32 (e2e 32), wrong on q1.
    const { outcome, snapshot, log } = await run(
      'mirror',
      (time) => ({
        A: goldEngine(time, 'A', { prefillMs: 10, perTokenMs: 1 }),
        B: goldEngine(time, 'B', { prefillMs: 30, perTokenMs: 2, output: (r) => (r.promptText.startsWith('q1|') ? 'wrong guess' : (r.promptText.split('|')[1] ?? '')) }),
      }),
      4,
    );
    const { A, B } = snapshot.models;
    expect([A.completed, A.latency.e2e.run.mean, A.accuracy.em.value]).toEqual([4, 11, 100]);
    expect([B.completed, B.latency.e2e.run.mean, B.accuracy.em.value]).toEqual([4, 32, 75]);
    const c = snapshot.combined;
    expect(c.completed).toBe(4); // questions, not 8 records
    expect(c.latency.e2e.run.mean).toBe(32);
    expect(c.accuracy.em).toMatchObject({ n: 8, value: 87.5 }); // 7 of 8 answers exact
    expect(c.throughput.tokensPerSecRun! * (snapshot.elapsedMs / 1000)).toBeCloseTo(16, 6); // both answers' tokens
    expect(snapshot.done).toBe(4);
    expect(snapshot.segments[0]).toMatchObject({ completed: 4, em: 87.5, e2eP50: 32 });
    const summary = summaryText(outcome);
    expect(summary).toMatch(/, 4\/4 questions\n/);
    await expectAgreement(snapshot, log, summary);
  });

  it('cascade: each question once with its final answer, an escalated one timed from its first issue', async () => {
    // A abstains ('' : one token at 10 ms) on q1 and q3, which go to B (gold, e2e 32 from the re-issue).
    const { outcome, snapshot, log } = await run(
      'cascade',
      (time) => ({
        A: goldEngine(time, 'A', { prefillMs: 10, perTokenMs: 1, output: (r) => (/^q[13]\|/.test(r.promptText) ? '' : (r.promptText.split('|')[1] ?? '')) }),
        B: goldEngine(time, 'B', { prefillMs: 30, perTokenMs: 2 }),
      }),
      5,
    );
    const { A, B } = snapshot.models;
    expect([A.completed, A.accuracy.em.value]).toEqual([5, 60]);
    expect([B.completed, B.accuracy.em.value]).toEqual([2, 100]);
    const c = snapshot.combined;
    expect(c.completed).toBe(5);
    expect(c.accuracy.em).toMatchObject({ n: 5, value: 100 });
    // 11, 10 + 32, 11, 10 + 32, 11 ms.
    expect(c.latency.e2e.run.mean).toBeCloseTo((3 * 11 + 2 * 42) / 5, 6);
    expect(c.latency.e2e.run.max).toBe(42);
    // Closed loop at concurrency 1: the run ends when q4 does, at 11 + 42 + 11 + 42 + 11 = 117 ms.
    expect(c.throughput.qpsRun).toBeCloseTo(5 / 0.117, 6);
    expect(snapshot.segments[0]).toMatchObject({ completed: 5, em: 100, escalationRate: 0.4 });
    await expectAgreement(snapshot, log, summaryText(outcome));
  });

  it('cancelled at quit is its own outcome: not an error, not in latency, counted and shown', async () => {
    const time = new VirtualTime();
    const profile = makeProfile({ workload: { limit: 10, load: { mode: 'closed', concurrency: 2 } }, scheduler: { policy: 'large-only' } });
    // B takes 1 s per answer; quit at 1.5 s with a grace of 200 ms: 2 answered, 2 cancelled.
    const h = await startHarness({ profile, time, engines: { A: goldEngine(time, 'A'), B: goldEngine(time, 'B', { prefillMs: 1000, perTokenMs: 0, capacity: 2 }) }, questions: makeQuestions(10, 0), extra: { quitGraceMs: 200 } });
    await time.advance(1500);
    h.run.send({ type: 'quit' });
    await time.runAll();
    const outcome = await h.run.finished;
    const cancelled = h.records().filter((r) => r.cancelled);
    expect(cancelled.map((r) => r.seq).sort()).toEqual([2, 3]);
    const { B } = outcome.snapshot.models;
    expect([B.completed, B.errors, B.timeouts, B.cancelled]).toEqual([2, 0, 0, 2]);
    expect(B.latency.e2e.run.count).toBe(2);
    expect(outcome.snapshot.combined.cancelled).toBe(2);
    const summary = summaryText(outcome);
    expect(summary.split('\n')[1]).toMatch(/errors +cancelled$/);
    expect(systemRowOf(summary).slice(-2)).toEqual(['0', '2']);
  });
});
