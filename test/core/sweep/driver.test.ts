import { describe, expect, it } from 'vitest';
import { FakeEngine } from '../../../source/core/engines/fake.js';
import type { RunEvent } from '../../../source/core/events.js';
import type { SessionHeader } from '../../../source/core/session/header.js';
import { runSweep, type SweepOutcome, type SweepPlan } from '../../../source/core/sweep/driver.js';
import { summaryOfLog, sweepOfLog } from '../../../source/core/sweep/from-log.js';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';
import { makeProfile, makeQuestions, startHarness } from '../run/harness.js';

/** The harness's prompt carries the gold answer: answering with it makes every answer correct. */
const goldAnswer = (request: { promptText: string }) => request.promptText.split('|')[1] ?? '';

/**
 * A known service model: model A computes `capacity` requests at a time, each exactly
 * 100 ms (prefill) with one output token; model B is never used (small-only).
 */
async function sweepOn(options: { capacity: number; slo: Record<string, number>; plan: Partial<SweepPlan>; mode: 'rate' | 'concurrency' }) {
  const time = new VirtualTime();
  const engine = (label: string) => new FakeEngine({ clock: time, timers: time, info: { label, model: label }, prefillMs: 100, perTokenMs: 0, capacity: options.capacity, output: goldAnswer });
  const load = options.mode === 'rate' ? { mode: 'open', rate: 1 } : { mode: 'closed', concurrency: 1 };
  const profile = makeProfile({ workload: { load, repeat: 400 }, scheduler: { policy: 'small-only' }, slo: options.slo });
  const harness = await startHarness({ profile, time, questions: makeQuestions(50, 0), engines: { A: engine('small'), B: engine('large') } });
  const plan: SweepPlan = {
    mode: options.mode,
    policies: ['small-only'],
    attainment: 0.9,
    probeQuestions: 44,
    start: 1,
    min: options.mode === 'rate' ? 0.1 : 1,
    max: 256,
    tolerance: 0.1,
    maxProbes: 12,
    maxProbeMs: 120_000,
    answerWaitMs: 10_000,
    ...options.plan,
  };
  let outcome: SweepOutcome | undefined;
  const lines: string[] = [];
  void runSweep(harness.run, plan, { clock: time, timers: time, onProbe: (p) => lines.push(`${p.load} ${p.verdict}`) }).then((o) => (outcome = o));
  while (!outcome) await time.advance(1000);
  harness.run.send({ type: 'quit' });
  let ended = false;
  void harness.run.finished.then(() => (ended = true));
  while (!ended) await time.advance(1000);
  return { outcome, lines, events: harness.events };
}

describe('runSweep on fake engines with a known capacity', () => {
  it('concurrency: 2 slots of exactly 100 ms meet e2e <= 450 ms up to 8 outstanding, not at 9', async () => {
    // Closed loop, N outstanding, 2 servers of 100 ms: each question waits N/2 service
    // rounds: 400 ms for N = 8; for N = 9 rounds alternate 4 and 5 (400 / 500 ms), half late.
    const { outcome, events } = await sweepOn({ capacity: 2, slo: { e2eMs: 450 }, mode: 'concurrency', plan: {} });
    const [policy] = outcome.policies;
    expect(policy!.probes.map((p) => [p.load, p.verdict])).toEqual([
      [1, 'pass'], [2, 'pass'], [4, 'pass'], [8, 'pass'], [16, 'fail'], [12, 'fail'], [10, 'fail'], [9, 'fail'],
    ]);
    expect(policy!.search).toEqual({ low: 8, high: 9, unresolved: [], end: 'bracketed' });
    const at8 = policy!.probes[3]!;
    expect(at8).toMatchObject({ questions: 44, answered: 44, attainment: { value: 100, n: 44 }, em: { value: 100, n: 44 }, f1: 100 });
    expect(at8.e2eP99).toBe(400);
    // 8 outstanding / 0.4 s each: 20 answers a second, all on time.
    expect(at8.throughput).toBeCloseTo(20, 6);
    expect(at8.goodput).toBeCloseTo(20, 6);
    expect(at8.correctWithinSloPerSec).toBeCloseTo(20, 6);
    expect(at8.meanPowerW).toBeUndefined(); // no power source: no energy figure, never a fake 0
    const at9 = policy!.probes[7]!;
    expect(at9.attainment.value).toBeGreaterThan(40);
    expect(at9.attainment.value).toBeLessThan(60);
    // One session: a probe segment per probe, each started by its load change.
    const probes = events.filter((e): e is Extract<RunEvent, { type: 'load-change' }> => e.type === 'load-change' && e.probe !== undefined);
    expect(probes.map((e) => (e.load.mode === 'closed' ? e.load.concurrency : 0))).toEqual([1, 2, 4, 8, 16, 12, 10, 9]);
    expect(probes.map((e) => e.segment)).toEqual(policy!.probes.map((p) => p.segment));

    // The log alone gives the same probes and the same answer (report and resume read it so).
    const header = { profile: { slo: { e2eMs: 450 } }, models: { A: { synthetic: true }, B: { synthetic: true } } } as unknown as SessionHeader;
    const fromLog = summaryOfLog({ header, events, path: 'sweep.jsonl' })!;
    expect(fromLog.policies[0]!.probes).toEqual(policy!.probes);
    expect(fromLog.policies[0]).toMatchObject({ policy: 'small-only', capacity: 8, failedAt: 9 });
    expect(fromLog).toMatchObject({ mode: 'concurrency', attainment: 0.9, slo: { e2eMs: 450 }, interrupted: false, synthetic: true });
    expect(sweepOfLog({ header, events }).finished).toBe(true);
  });

  it('a probe whose interval straddles the target is reported unresolved and ends the search', async () => {
    // Same service, target 50%: at 9 outstanding about half are on time, so the interval straddles 0.5.
    const { outcome } = await sweepOn({ capacity: 2, slo: { e2eMs: 450 }, mode: 'concurrency', plan: { attainment: 0.5, grid: [8, 9, 16] } });
    const [policy] = outcome.policies;
    expect(policy!.probes.map((p) => [p.load, p.verdict])).toEqual([[8, 'pass'], [9, 'unresolved'], [16, 'fail']]);
    expect(policy!.search).toEqual({ low: 8, high: 16, unresolved: [9], end: 'grid' });
  });

  it('rate: one 100 ms server saturates at 10 q/s; the capacity found is below it and the probe above it stops early, over-saturated', async () => {
    const { outcome, lines } = await sweepOn({ capacity: 1, slo: { e2eMs: 1000 }, mode: 'rate', plan: { start: 2 } });
    const [policy] = outcome.policies;
    const { low, high } = policy!.search;
    expect(low).toBeDefined();
    expect(low!).toBeLessThan(10);
    expect(high).toBeDefined();
    expect(high!).toBeGreaterThan(low!);
    const over = policy!.probes.find((p) => p.load >= 16);
    expect(over).toMatchObject({ verdict: 'fail', overSaturated: true });
    // Stopped before all 44 measured questions were answered.
    expect(over!.answered).toBeLessThan(44);
    expect(lines[0]).toBe('2 pass');
  });
});
