/**
 * bench:client — does duet take the times the server really produced? Two programmed SSE
 * servers (bench/lib/timed-sse-server.mjs, each its own process) log when they wrote every
 * chunk; duet (`duet run` against them, headless and with the live screen on a pty) and a
 * minimal bare Node client (the floor) stream from them at concurrency 4, 64 and 256 with
 * 2-10 ms between tokens. From the session log (token times + the run clock's origin) and
 * the servers' logs, per scenario: timestamp error (arrival - write) p50/p99/max, gaps
 * "bunched" (recorded < 0.3x the true gap), TTFT error; for duet, streamed tokens per
 * client-thread core second (from the measuring guard). Then an open loop (rate 20/s,
 * headless and screen): send lag p99 and drift (last quarter's median lag - first
 * quarter's). Figures are same-run ratios against the bare client where a ratio applies.
 *
 *   npm run bench:client -- [--seconds 6] [--concurrency 4,64,256] [--tokens 48]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, repoRoot } from './lib/env.js';
import { report, type Figure } from './lib/report.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '4,64,256' },
    tokens: { type: 'string', default: '48' },
    rate: { type: 'string', default: '20' },
  },
});
const seconds = Number(values.seconds);
const tokens = Number(values.tokens);
const concurrencies = values.concurrency.split(',').map(Number);
const schedule = 'ttft=20,gap=2-10';
const dir = mkdtempSync(join(tmpdir(), 'duet-bench-client-'));
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface ServerLog {
  receivedAt: number;
  writes: number[];
}
interface Stream {
  sentAt: number;
  arrivals: number[];
  log: ServerLog;
}
interface Figures {
  tokens: number;
  errorP50: number;
  errorP99: number;
  errorMax: number;
  bunched: number;
  ttftErrorP99: number;
  tokensPerCoreS?: number;
}

async function startServer(): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bench/lib/timed-sse-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${/listening (\d+)/.exec(line.toString())![1]}/v1`, process: child };
}
const servers = [await startServer(), await startServer()];
const urls = servers.map((s) => s.url);

async function serverLogs(): Promise<Map<string, ServerLog>> {
  const all = new Map<string, ServerLog>();
  for (const url of urls) {
    const logs = (await (await fetch(url.replace('/v1', '/logs'))).json()) as Record<string, ServerLog>;
    for (const [id, log] of Object.entries(logs)) all.set(id, log);
  }
  return all;
}
async function resetServers(): Promise<void> {
  for (const url of urls) await fetch(url.replace('/v1', '/reset'), { method: 'POST' });
}

function figuresOf(streams: Stream[]): Figures {
  const errors: number[] = [];
  const ttftErrors: number[] = [];
  let gaps = 0;
  let bunched = 0;
  for (const s of streams) {
    const n = Math.min(s.arrivals.length, s.log.writes.length);
    if (n === 0) continue;
    for (let i = 0; i < n; i++) errors.push(s.arrivals[i]! - s.log.writes[i]!);
    for (let i = 1; i < n; i++) {
      gaps++;
      if (s.arrivals[i]! - s.arrivals[i - 1]! < 0.3 * (s.log.writes[i]! - s.log.writes[i - 1]!)) bunched++;
    }
    ttftErrors.push(s.arrivals[0]! - s.sentAt - (s.log.writes[0]! - s.log.receivedAt));
  }
  return {
    tokens: errors.length,
    errorP50: percentile(errors, 50),
    errorP99: percentile(errors, 99),
    errorMax: errors.reduce((max, e) => Math.max(max, e), -Infinity),
    bunched: gaps === 0 ? NaN : bunched / gaps,
    ttftErrorP99: percentile(ttftErrors, 99),
  };
}

async function bare(concurrency: number): Promise<Figures> {
  await resetServers();
  const out = join(dir, `bare-${concurrency}.json`);
  const child = spawn(process.execPath, [join(repoRoot, 'bench/lib/bare-client.mjs'), JSON.stringify({ urls, concurrency, seconds, tokens, schedule, out })], { stdio: 'inherit' });
  await once(child, 'exit');
  const result = JSON.parse(readFileSync(out, 'utf8')) as { records: Array<{ id: string; sentAt: number; arrivals: number[] }>; cpuMs: number };
  const logs = await serverLogs();
  const streams = result.records.flatMap((r) => (logs.has(r.id) ? [{ sentAt: r.sentAt, arrivals: r.arrivals, log: logs.get(r.id)! }] : []));
  const figures = figuresOf(streams);
  return { ...figures, tokensPerCoreS: figures.tokens / (result.cpuMs / 1000) };
}

function profile(load: string): string {
  const path = join(dir, `profile-${Math.random().toString(36).slice(2)}.yaml`);
  const model = (label: string, url: string) => `  - label: ${label}\n    backend: openai\n    url: ${url}\n    served: "${schedule}"\n    requestTimeoutMs: 60000\n`;
  writeFileSync(
    path,
    `name: bench-client\nmodels:\n${model('timed-a', urls[0]!)}${model('timed-b', urls[1]!)}workload:\n  dataset: ${join(repoRoot, 'examples/squad-sample.json')}\n  repeat: 1000\n  maxNewTokens: ${tokens}\n  load: ${load}\ntelemetry:\n  source: none\nscheduler:\n  policy: round-robin\n`,
  );
  return path;
}

interface LogRecord {
  id: string;
  tScheduled?: number;
  tEnqueued: number;
  tFirstToken?: number;
  tokenTimes?: number[];
  error?: string;
}

/** One `duet run` against the servers; returns its records (epoch times) and its measuring samples. */
async function duet(load: string, screen: boolean): Promise<{ records: LogRecord[]; origin: number; chunks: number; busyMs: number; logs: Map<string, ServerLog> }> {
  await resetServers();
  const log = join(dir, `duet-${Math.random().toString(36).slice(2)}.jsonl`);
  const args = [join(repoRoot, 'bin/duet.js'), 'run', '--profile', profile(load), '--duration', `${seconds}s`, '--log', log, ...(screen ? [] : ['--headless'])];
  const result = screen
    ? spawnSync('script', ['-qfec', `stty cols 120 rows 40; exec ${[process.execPath, ...args].map(quote).join(' ')}`, '/dev/null'], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 256 * 2 ** 20 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', cwd: repoRoot, maxBuffer: 256 * 2 ** 20 });
  if (result.status !== 0) throw new Error(`duet run exited ${result.status}: ${(result.stderr || result.stdout).slice(-1500)}`);
  const records: LogRecord[] = [];
  let origin = NaN;
  let chunks = 0;
  let busyMs = 0;
  for (const line of readFileSync(log, 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    const event = JSON.parse(line) as { type: string; clockOrigin?: number; record?: LogRecord; sample?: { plane?: { chunks?: number; busyMs?: number } } };
    if (event.type === 'run-start') origin = event.clockOrigin!;
    if (event.type === 'query-finished' && event.record) records.push(event.record);
    if (event.type === 'measuring' && event.sample?.plane) {
      chunks += event.sample.plane.chunks ?? 0;
      busyMs += event.sample.plane.busyMs ?? 0;
    }
  }
  return { records, origin, chunks, busyMs, logs: await serverLogs() };
}

async function duetClosed(concurrency: number, screen: boolean): Promise<Figures> {
  const run = await duet(`{ mode: closed, concurrency: ${concurrency} }`, screen);
  const streams = run.records.flatMap((r) =>
    run.logs.has(r.id) && r.tokenTimes ? [{ sentAt: r.tEnqueued + run.origin, arrivals: r.tokenTimes.map((t) => t + run.origin), log: run.logs.get(r.id)! }] : [],
  );
  return { ...figuresOf(streams), tokensPerCoreS: run.chunks / (run.busyMs / 1000) };
}

async function duetOpen(screen: boolean): Promise<{ lagP99: number; driftMs: number; serverLagP99: number; sent: number }> {
  const run = await duet(`{ mode: open, rate: ${values.rate} }`, screen);
  const timed = run.records.filter((r) => r.tScheduled !== undefined).sort((a, b) => a.tScheduled! - b.tScheduled!);
  const lags = timed.map((r) => r.tEnqueued - r.tScheduled!);
  // The server's view: when the request arrived vs when it was due.
  const serverLags = timed.flatMap((r) => (run.logs.has(r.id) ? [run.logs.get(r.id)!.receivedAt - (r.tScheduled! + run.origin)] : []));
  const quarter = Math.max(1, Math.floor(lags.length / 4));
  return { lagP99: percentile(lags, 99), driftMs: percentile(lags.slice(-quarter), 50) - percentile(lags.slice(0, quarter), 50), serverLagP99: percentile(serverLags, 99), sent: lags.length };
}

const rows: string[][] = [['scenario', 'tokens', 'err p50', 'err p99', 'err max', 'bunched', 'TTFT err p99', 'tok/s per core']];
const fmt = (v: number | undefined, digits = 2) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const row = (name: string, f: Figures) => rows.push([name, String(f.tokens), fmt(f.errorP50), fmt(f.errorP99), fmt(f.errorMax), `${fmt(f.bunched * 100, 2)}%`, fmt(f.ttftErrorP99), fmt(f.tokensPerCoreS, 0)]);
const figures: Figure[] = [];
const absolute: Record<string, number> = {};
let worstBunched = 0;
let duetCore = 0;
try {
  for (const c of concurrencies) {
    const floor = await bare(c);
    row(`bare c${c}`, floor);
    for (const screen of [false, true]) {
      const f = await duetClosed(c, screen);
      const name = `duet c${c} ${screen ? 'screen' : 'headless'}`;
      row(name, f);
      worstBunched = Math.max(worstBunched, f.bunched);
      if (!screen) duetCore = Math.max(duetCore, f.tokensPerCoreS ?? 0);
      absolute[`${name} error p99 ms`] = f.errorP99;
      figures.push({ name: `client: ${name} / bare, timestamp error p99`, measured: f.errorP99 / Math.max(floor.errorP99, 0.05), unit: 'x', goal: '<= 1.5x', pass: f.errorP99 <= 1.5 * Math.max(floor.errorP99, 0.05) });
      if (c === 64 && screen) figures.push({ name: 'client: timestamp error p99, c64 with the screen', measured: f.errorP99, unit: 'ms', goal: '<= 2 ms', pass: f.errorP99 <= 2 });
    }
    absolute[`bare c${c} error p99 ms`] = floor.errorP99;
  }
  figures.push({ name: 'client: bunched gaps, worst scenario', measured: worstBunched, unit: '%', goal: '< 1%', pass: worstBunched < 0.01 });
  figures.push({ name: 'client: streamed tokens per client core second', measured: duetCore, unit: 'tok/s', goal: '>= 20000', pass: duetCore >= 20_000 });
  for (const screen of [false, true]) {
    const open = await duetOpen(screen);
    const name = screen ? 'screen' : 'headless';
    rows.push([`duet open ${values.rate}/s ${name}`, `${open.sent} sent`, '', `lag ${fmt(open.lagP99)}`, `drift ${fmt(open.driftMs)}`, '', `server-side lag p99 ${fmt(open.serverLagP99)}`, '']);
    figures.push({ name: `client: open-loop send lag p99 (${name})`, measured: open.lagP99, unit: 'ms', goal: '<= 2 ms', pass: open.lagP99 <= 2 });
    figures.push({ name: `client: open-loop drift (${name})`, measured: open.driftMs, unit: 'ms', goal: '<= 1 ms', pass: Math.abs(open.driftMs) <= 1 });
  }
} finally {
  for (const s of servers) s.process.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
console.log('(times in ms; error = arrival at the client - write at the server, same machine, loopback)');
report({ bench: 'client', figures, absolute, notes: [`${seconds} s per scenario, ${tokens} tokens per answer, ${schedule}`] });
