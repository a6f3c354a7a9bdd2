/**
 * Soak: drives thousands of questions through the real run controller with random
 * injected faults (slow tokens, dropped streams, HTTP 500s, hangs, server kills and
 * restarts), then checks that nothing was lost, that the session log agrees, that memory
 * stayed flat and that no process is left over. Exits 1 when a check fails.
 *
 *   npx tsx scripts/soak.ts --minutes 10 [--seed S] [--concurrency C] [--serve] [--log PATH]
 *
 * Default backend: fake engines in-process (fast: thousands of questions a minute).
 * --serve: two `duet serve` processes on the demo models, killed (SIGKILL) now and then
 * and restarted by the launcher.
 */
import { createReadStream, createWriteStream, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ModelSlot } from '../source/core/engines/engine.js';
import { scoreAnswer } from '../source/core/eval/squad-score.js';
import { MetricsStore } from '../source/core/metrics/store.js';
import { policyNames, profileSchema } from '../source/core/profile/schema.js';
import { startRun, type RunQuestion } from '../source/core/run/controller.js';
import { createRandom } from '../source/core/scheduler/random.js';
import { buildSessionHeader } from '../source/core/session/header.js';
import { readSessionLog } from '../source/core/session/reader.js';
import { openSessionLog } from '../source/core/session/writer.js';
import { chaosEngine, type ChaosEngine, type ChaosRates } from './lib/chaos-engine.js';
import { Ledger } from './lib/ledger.js';
import { MemorySampler } from './lib/memory.js';
import { commandLine, descendants, isToolHelper, waitGone } from './lib/processes.js';
import { parseSoakArgs } from './lib/soak-args.js';
import { fakeBackend, serveBackend, type SoakBackend } from './lib/soak-engines.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const args = parseSoakArgs(process.argv.slice(2));
  // Helpers that live as long as we do (tsx's esbuild service) are not orphans.
  const baseline = new Set(descendants(process.pid));
  const seconds = Math.round(args.minutes * 60);
  const random = createRandom(args.seed);
  const dir = mkdtempSync(join(tmpdir(), 'duet-soak-'));
  const logPath = args.log ?? join(dir, 'session.jsonl');
  const slowIds = new Set<string>();
  const backend: SoakBackend = args.serve ? await serveBackend(say, join(dir, 'servers')) : fakeBackend(random, slowIds);
  const rates: ChaosRates = args.serve ? { slow: 0, drop: 0.01, http500: 0.01, hang: 0 } : { slow: 0.03, drop: 0.01, http500: 0.01, hang: 0.003 };

  let ledger!: Ledger;
  const wrap = (slot: ModelSlot) => chaosEngine(backend.engines[slot], rates, random, (kind) => ledger.inject(kind), slowIds);
  const engines: Record<ModelSlot, ChaosEngine> = { A: wrap('A'), B: wrap('B') };
  ledger = new Ledger(engines);

  // Enough synthetic questions that the duration, not the dataset, ends the run.
  const count = Math.min(1_000_000, seconds * (args.serve ? 50 : 1500));
  const questions: RunQuestion[] = Array.from({ length: count }, (_, i) => ({ id: `s${i}`, question: `question ${i}?`, answers: i % 5 === 4 ? [] : [`answer ${i}`], isImpossible: i % 5 === 4 }));
  const profile = profileSchema.parse({
    name: 'soak',
    models: backend.models,
    workload: { dataset: 'synthetic', duration: `${seconds}s`, maxNewTokens: 16, load: { mode: 'closed', concurrency: args.concurrency } },
    telemetry: { source: 'none' },
  });
  const store = new MetricsStore({ slo: profile.slo });
  const memory = new MemorySampler(10_000);
  memory.start();
  const t0 = performance.now();
  const run = await startRun({
    profile,
    engines,
    questions,
    // The prompt carries the gold answer so that fake engines can be right or wrong on purpose.
    buildPrompt: (q) => ({ messages: [{ role: 'user', content: q.question }], promptText: `${q.id}|${q.answers[0] ?? ''}`, promptIds: [1, 2, 3], promptTokens: 3, contextTrimmed: false }),
    extractAnswer: (raw) => raw.trim(),
    scoreAnswer,
    metrics: { push: (e) => (ledger.push(e), store.push(e)), snapshot: (t) => store.snapshot(t) },
    openLog: ({ models, wallStart, warn }) =>
      openSessionLog(logPath, buildSessionHeader({ duetVersion: 'soak', wallStart, profile, models, dataset: { path: 'synthetic', hash: '0', questions: count } }), { onError: warn }),
  });
  say(`soak: ${seconds} s, seed ${args.seed}, ${args.serve ? 'duet serve' : 'fake'} engines, concurrency ${args.concurrency}, log ${logPath}`);

  // Chaos on a schedule: server kills, policy switches, load changes, a pause now and then.
  let kills = 0;
  let recovered = 0;
  const down: Partial<Record<ModelSlot, number>> = {};
  run.subscribe((e) => {
    if (e.type !== 'query-finished') return;
    const since = down[e.record.model];
    if (since !== undefined && (e.record.tStart ?? 0) > since) {
      recovered++;
      delete down[e.record.model];
    }
  });
  const policies = policyNames.filter((p) => p !== 'slo');
  let ended = false;
  void run.finished.then(() => (ended = true));
  const chaos = (async () => {
    for (let tick = 1; !ended; tick++) {
      await sleep(1000);
      if (ended) break;
      const slot: ModelSlot = random.next() < 0.5 ? 'A' : 'B';
      if (tick % (args.serve ? 40 : 7) === 0) {
        kills++;
        const downMs = 200 + random.next() * 1300;
        if (!backend.killServer(slot)) engines[slot].kill(downMs);
        // A recovery counts once the model answers a question it started after coming back.
        down[slot] = performance.now() + (args.serve ? 0 : downMs);
      }
      if (tick % 20 === 0) run.send({ type: 'setPolicy', policy: policies[(tick / 20) % policies.length]! });
      if (tick % 13 === 0) run.send({ type: 'setLoad', load: { mode: 'closed', concurrency: Math.max(1, Math.round(args.concurrency * (0.5 + random.next()))) } });
      if (tick % 45 === 0) {
        run.send({ type: 'pause', paused: true });
        await sleep(500);
        run.send({ type: 'pause', paused: false });
      }
      if (tick % 10 === 0) {
        const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
        say(`  ${tick} s: ${ledger.issued} questions, ${ledger.records} records (${ledger.errors} errors), ${Object.values(ledger.injected).reduce((a, b) => a + b, 0)} faults, ${kills} kills, rss ${rss} MiB`);
      }
    }
  })();
  const outcome = await run.finished;
  await chaos;
  memory.stop();
  await backend.stop();
  const elapsed = (performance.now() - t0) / 1000;

  // Checks.
  const log = await countLog(logPath);
  const damaged = await readDamagedCopy(logPath, join(dir, 'damaged.jsonl'));
  const children = await waitGone(descendants(process.pid).filter((pid) => !baseline.has(pid) && !isToolHelper(pid)), 10_000);
  // Warm-up covers the metrics store filling its 120 s retention window.
  const mem = memory.verdict(Math.min(130_000, seconds * 600), 64);
  const lost = ledger.missing.length + ledger.problems.length;
  const injected = Object.values(ledger.injected).reduce((a, b) => a + b, 0) + (args.serve ? kills : 0);
  const survived = Object.values(ledger.survived).reduce((a, b) => a + b, 0) + (args.serve ? backend.restarts.A + backend.restarts.B : 0);
  const checks: Array<[string, boolean, string]> = [
    ['run ended normally', outcome.reason === 'finished', `${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ''}`],
    ['every issued question ended as exactly one result or one counted error', lost === 0, `lost records ${lost}${ledger.problems.length ? `: ${ledger.problems.slice(0, 3).join('; ')}` : ''}${ledger.missing.length ? `; missing ${ledger.missing.slice(0, 3).join(', ')}` : ''}`],
    ['every injected fault survived', survived === injected, `${survived}/${injected}`],
    ['the log has every record and ends with run-end', log.records === ledger.records && log.last === 'run-end' && log.warnings === 0, `log ${log.records} records vs ${ledger.records} emitted, last line ${log.last}, ${log.bad} unreadable lines`],
    [`memory stayed flat${mem.collected ? " (RSS after a full GC)" : ""}`, mem.flat, `rss ${mem.warmMiB} MiB after warm-up -> ${mem.lastMiB} MiB at the end (median of 3; ${mem.growthMiB >= 0 ? '+' : ''}${mem.growthMiB} MiB, bound ${mem.boundMiB} MiB); heap ${mem.heapWarmMiB} -> ${mem.heapLastMiB} MiB; rss samples ${mem.samplesMiB.join(' ')}`],
    [
      'a damaged copy of the log (BOM, an incomplete event, a cut last line) reads every record',
      damaged.records === ledger.records && damaged.warnings === 2,
      `${damaged.records} records vs ${ledger.records}, ${damaged.warnings} warnings (2 expected), read in ${damaged.seconds.toFixed(1)} s`,
    ],
    ['no orphan processes', children.length === 0, children.length ? `still alive: ${children.map((pid) => `${pid} (${commandLine(pid).slice(0, 80)})`).join(', ')}` : 'none left'],
  ];
  say('');
  say(`soak figures (${elapsed.toFixed(0)} s, seed ${args.seed}, ${args.serve ? 'duet serve' : 'fake'} engines)`);
  say(`  questions issued   ${ledger.issued}`);
  say(`  records            ${ledger.records} (${ledger.results} answers, ${ledger.errors} counted errors)`);
  say(`  faults injected    ${injected} (slow ${ledger.injected.slow}, drop ${ledger.injected.drop}, http500 ${ledger.injected.http500}, hang ${ledger.injected.hang}, hit a killed server ${ledger.injected.kill}; server kills ${kills}, recovered ${args.serve ? `${backend.restarts.A + backend.restarts.B} restarts` : recovered})`);
  say(`  faults survived    ${survived}`);
  say(`  lost records       ${lost}`);
  for (const [name, passed, detail] of checks) say(`${passed ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
  return checks.every(([, passed]) => passed) ? 0 : 1;
}

/**
 * Copies the log with the damage a careless user or a failing machine does to one: a
 * byte order mark (an editor), an incomplete query-finished in the middle, a last line cut
 * short (SIGKILL); then reads it with the session reader, which must skip exactly the
 * two bad lines and keep every record.
 */
async function readDamagedCopy(path: string, copy: string): Promise<{ records: number; warnings: number; seconds: number }> {
  const out = createWriteStream(copy);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('\ufeff');
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    await write(`${line}\n`);
    if (++n === 10) await write('{"type":"query-finished","t":1,"record":{"model":"A"}}\n');
  }
  await write('{"type":"query-finished","t":1,"rec');
  out.end();
  await once(out, 'finish');
  const t0 = performance.now();
  const data = await readSessionLog(copy);
  const records = data.events.filter((e) => e.type === 'query-finished' || e.type === 'query-failed').length;
  return { records, warnings: data.warnings.length, seconds: (performance.now() - t0) / 1000 };
}

/** Counts the records in the session log, streaming (it may be large). */
async function countLog(path: string): Promise<{ records: number; last?: string; warnings: number; bad: number }> {
  let records = 0;
  let last: string | undefined;
  let bad = 0;
  let warnings = 0;
  let first = true;
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    if (first) {
      first = false;
      continue;
    }
    try {
      const event = JSON.parse(line) as { type?: string };
      if (event.type === 'query-finished' || event.type === 'query-failed') records++;
      if (event.type === 'warning') warnings++;
      last = event.type;
    } catch {
      bad++;
    }
  }
  return { records, last, warnings, bad };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
