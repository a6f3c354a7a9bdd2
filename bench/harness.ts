/**
 * Harness cost at scale: N SQuAD questions (default 10,000) through zero-latency fake engines,
 * driven by the real run controller (startRun) with the real MetricsStore, SQuAD scoring and
 * session log (a temp file), while a snapshot is taken every 250 ms as the live screen does.
 * Harness time per query = (CPU time of the run - CPU time of the same fake engines driven
 * bare) / N, both measured here. CPU time, not wall time: on a shared machine the wall
 * clock counts other people's work (wall times are printed too). Memory: RSS (and heap
 * after a forced GC) at 1k answers vs at N answers. Snapshot: the wall time of one snapshot of
 * the store holding all N answers (what the screen reads per frame at the end of a long run).
 * Time as the run sees it is virtual: every answer advances the run's clock by --step-ms
 * (default 25 ms, i.e. 40 answers/s), so the 10 s / 60 s windows and the stores' 120 s
 * retention slide as in a real run instead of holding all N answers at once.
 *
 *   npm run bench:harness -- [--queries 10000] [--concurrency 8] [--step-ms 25]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadSquad, type SquadQuestion } from '../source/core/dataset/squad.js';
import type { Engine, GenerateRequest } from '../source/core/engines/engine.js';
import { FakeEngine, goldEchoOutput } from '../source/core/engines/fake.js';
import { scoreAnswer } from '../source/core/eval/squad-score.js';
import { MetricsStore } from '../source/core/metrics/store.js';
import { profileSchema } from '../source/core/profile/schema.js';
import { startRun } from '../source/core/run/controller.js';
import { duetVersion } from '../source/core/run/prepare.js';
import type { Timers } from '../source/core/scheduler/timers.js';
import { buildSessionHeader } from '../source/core/session/header.js';
import { openSessionLog } from '../source/core/session/writer.js';
import { squadDev } from './lib/env.js';
import { report } from './lib/report.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
    'step-ms': { type: 'string', default: '25' },
  },
});
const total = Number(values.queries);
const concurrency = Number(values.concurrency);
const firstMark = Math.min(1000, total);
const stepMs = Number(values['step-ms']);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dataset = await loadSquad(squadDev);
// The dev set has 11,873 questions; more are asked by cycling with fresh ids.
const questions: SquadQuestion[] = Array.from({ length: total }, (_, i) => {
  const q = dataset.questions[i % dataset.questions.length]!;
  return i < dataset.questions.length ? q : { ...q, id: `${q.id}#${Math.floor(i / dataset.questions.length)}` };
});
const goldById = new Map(questions.map((q) => [q.id, q.answers]));

/** Zero latency: the fake engine's 0 ms "delays" resolve on the next turn of the event loop, not on a >= 1 ms timer. */
const immediate: Timers = {
  setTimeout: (fn) => setImmediate(fn) as unknown as ReturnType<typeof setTimeout>,
  clearTimeout: (handle) => clearImmediate(handle as unknown as NodeJS.Immediate),
};
/** The run's clock (and the engines'): moves only when an answer is reported, by stepMs. */
const virtual = { t: 0, now: () => virtual.t };
const fakeEngine = (label: string): Engine =>
  new FakeEngine({
    clock: virtual,
    timers: immediate,
    info: { label, model: label },
    output: goldEchoOutput((request) => goldById.get(request.promptText), 0.7),
    capacity: concurrency,
  });
const prompt = (q: SquadQuestion) => ({ messages: [], promptText: q.id, promptIds: [1, 2, 3], promptTokens: 3, contextTrimmed: false });

// ---- bare: the same engines, the same requests, no harness (the engines' own share) ----
interface Cost {
  wallMs: number;
  cpuMs: number;
}
function measure(): () => Cost {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
  };
}

async function bare(): Promise<Cost> {
  const engines = [fakeEngine('small'), fakeEngine('large')];
  await Promise.all(engines.map((e) => e.start()));
  let next = 0;
  const done = measure();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const q = questions[i]!;
        const request: GenerateRequest = { id: String(i), maxNewTokens: 128, ...prompt(q) };
        await engines[i % 2]!.generate(request, () => {});
      }
    }),
  );
  return done();
}

// ---- the harness ----
async function harness(): Promise<{ cost: Cost; marks: Map<number, { rss: number; heap: number }>; logBytes: number; answered: number; snapshotMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'duet-bench-harness-'));
  const logPath = join(dir, 'session.jsonl');
  const profile = profileSchema.parse({
    name: 'bench-harness',
    models: [
      { label: 'small', backend: 'onnx', path: '/fake/small' },
      { label: 'large', backend: 'onnx', path: '/fake/large' },
    ],
    workload: { dataset: squadDev, limit: total, load: { mode: 'closed', concurrency } },
    scheduler: { policy: 'round-robin' },
    telemetry: { source: 'none' },
  });
  const marks = new Map<number, { rss: number; heap: number }>();
  let answered = 0;
  const run = await startRun({
    profile,
    engines: { A: fakeEngine('small'), B: fakeEngine('large') },
    questions,
    buildPrompt: prompt,
    extractAnswer: (raw) => raw.trim(),
    scoreAnswer,
    metrics: new MetricsStore({ slo: profile.slo }),
    clock: virtual,
    openLog: ({ models, wallStart, warn }) =>
      openSessionLog(logPath, buildSessionHeader({ duetVersion: duetVersion(), wallStart, profile, models, dataset: { path: dataset.path, hash: dataset.hash, questions: total } }), { onError: warn }),
  });
  const done = measure();
  let paused = 0;
  run.subscribe((event) => {
    if (event.type !== 'query-finished') return;
    virtual.t += stepMs;
    answered++;
    if (answered === firstMark || answered === total) {
      // Memory is sampled after a full GC (RSS keeps what V8 once took; heap shows what is still held). Not timed.
      const t0 = performance.now();
      gc();
      const usage = process.memoryUsage();
      marks.set(answered, { rss: usage.rss, heap: usage.heapUsed });
      paused += performance.now() - t0;
    }
  });
  // The live screen reads a snapshot every 250 ms: part of the harness.
  const tick = setInterval(() => run.snapshot(), 250);
  const outcome = await run.finished;
  const measured = done();
  const cost = { wallMs: measured.wallMs - paused, cpuMs: measured.cpuMs - paused };
  clearInterval(tick);
  if (outcome.exitCode !== 0) throw new Error(`run ended with ${outcome.reason}: ${outcome.detail ?? ''}`);
  // One frame's read at scale: a snapshot of the store after all N answers (wall time, mean of 100).
  const snapshotStart = performance.now();
  for (let i = 0; i < 100; i++) run.snapshot();
  const snapshotMs = (performance.now() - snapshotStart) / 100;
  const logBytes = statSync(logPath).size;
  rmSync(dir, { recursive: true, force: true });
  return { cost, marks, logBytes, answered, snapshotMs };
}

console.log(`${total} questions, closed loop, concurrency ${concurrency}, zero-latency fake engines, run clock +${stepMs} ms per answer, round-robin, log to a temp file`);
await bare(); // warm-up (JIT)
const bareCost = await bare();
const run = await harness();
const perQueryUs = ((run.cost.cpuMs - bareCost.cpuMs) / total) * 1000;
const at1k = run.marks.get(firstMark)!;
const atN = run.marks.get(total)!;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const fmt = (c: Cost) => `${c.cpuMs.toFixed(0)} ms CPU (${c.wallMs.toFixed(0)} ms wall)`;
console.log(`run ${fmt(run.cost)} for ${run.answered} answers; bare engines ${fmt(bareCost)}; session log ${mb(run.logBytes)} MB`);
console.log(`RSS ${mb(at1k.rss)} MB at ${firstMark}, ${mb(atN.rss)} MB at ${total}; heap after GC ${mb(at1k.heap)} MB -> ${mb(atN.heap)} MB`);

report({
  bench: 'harness',
  figures: [
    { name: 'harness time per query', measured: perQueryUs, unit: 'us', goal: '< 50 us', pass: perQueryUs < 50 },
    { name: `harness: RSS at ${total / 1000}k / at 1k queries`, measured: atN.rss / at1k.rss, unit: 'x', goal: '<= 1.10x (flat)', pass: atN.rss / at1k.rss <= 1.1 },
    { name: `harness: heap at ${total / 1000}k / at 1k queries`, measured: atN.heap / at1k.heap, unit: 'x' },
    // The screen reads one snapshot per 250 ms frame; ~1 ms on an idle 2-core machine.
    { name: `harness: one snapshot after ${total / 1000}k answers`, measured: run.snapshotMs, unit: 'ms', goal: '< 25 ms (a tenth of a frame)', pass: run.snapshotMs < 25 },
  ],
  absolute: {
    queries: total,
    concurrency,
    stepMs,
    runCpuMs: run.cost.cpuMs,
    runWallMs: run.cost.wallMs,
    bareEngineCpuMs: bareCost.cpuMs,
    bareEngineWallMs: bareCost.wallMs,
    wallUsPerQuery: (run.cost.wallMs / total) * 1000,
    rss1kBytes: at1k.rss,
    rssEndBytes: atN.rss,
    heap1kBytes: at1k.heap,
    heapEndBytes: atN.heap,
    logBytes: run.logBytes,
    snapshotMs: run.snapshotMs,
  },
  notes: ['harness time = CPU time of the run minus the same fake engines driven bare; per query = per question answered (one model each, round-robin)'],
});
