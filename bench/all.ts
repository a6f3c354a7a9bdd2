/**
 * `npm run bench`: every benchmark in one go, each in its own process (its own memory,
 * workers and onnxruntime sessions), one after the other so they never share the cores.
 * Prints one table (name, measured, goal, met/MISSED) and writes bench/results/<date>.json.
 *
 *   npm run bench -- [--quick] [--only engine,batching,...]
 *
 * --quick: fewer tokens, questions and rounds (a smoke run, ~3x shorter); the figures are
 * noisier. The default settings aim at ~10 minutes on 2 idle cores.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './lib/env.js';
import { formatFigure, verdictOf, type BenchResult, type Figure } from './lib/report.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick;

/** name -> [script, full args, quick args] */
const benches: Array<[string, string, string[], string[]]> = [
  ['engine', 'bench/engine.ts', ['--repeats', '2'], ['--tokens', '32', '--repeats', '1']],
  ['engine-q4', 'bench/engine.ts', ['--dtype', 'q4', '--repeats', '2'], ['--dtype', 'q4', '--tokens', '32', '--repeats', '1']],
  ['batching', 'bench/batching.ts', [], ['--questions', '16', '--rounds', '1']],
  ['bandwidth', 'bench/bandwidth.ts', [], ['--repeats', '2', '--tokens', '64']],
  ['tui', 'bench/tui.ts', ['--rounds', '2'], ['--limit', '8', '--rounds', '1']],
  ['harness', 'bench/harness.ts', [], []],
  ['http', 'bench/http.ts', [], ['--questions', '12', '--rounds', '1']],
  ['client', 'bench/client.ts', [], ['--seconds', '3', '--concurrency', '4,64']],
  ['score', 'bench/score.ts', [], ['--repeats', '1']],
];
const only = values.only?.split(',');
const selected = benches.filter(([name]) => !only || only.includes(name));

const dir = mkdtempSync(join(tmpdir(), 'duet-bench-'));
const results: BenchResult[] = [];
const failures: Array<{ bench: string; error: string }> = [];
const loadStart = loadavg()[0]!;
const started = Date.now();

for (const [name, script, full, quickArgs] of selected) {
  const out = join(dir, `${name}.jsonl`);
  console.log(`\n==== ${name} (${script}${quick ? ' --quick' : ''}) ====`);
  const t0 = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, script), ...(quick ? quickArgs : full)], {
    cwd: repoRoot,
    env: { ...process.env, DUET_BENCH_JSON: out },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  process.stdout.write(run.stdout ?? '');
  console.log(`(${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  let result: BenchResult | undefined;
  try {
    result = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').at(-1)!) as BenchResult;
  } catch {
    result = name === 'engine' ? engineFromStdout(run.stdout ?? '') : undefined;
  }
  if (result) results.push(result);
  if (run.status !== 0 || !result) failures.push({ bench: name, error: run.status !== 0 ? `exit ${run.status ?? run.signal}` : 'no result' });
}
rmSync(dir, { recursive: true, force: true });

/** bench/engine.ts prints a table; read its ratios from it if it wrote no JSON result. */
function engineFromStdout(stdout: string): BenchResult | undefined {
  const ratio = (label: RegExp): number => {
    const line = stdout.split('\n').find((l) => label.test(l));
    const cells = line?.trim().split(/\s{2,}/);
    return cells ? Number.parseFloat(cells[3] ?? '') : NaN;
  };
  const figures: Figure[] = [
    { name: 'engine: duet / transformers.js tokens/s, batch 1', measured: ratio(/^batch 1 tokens/), unit: 'x' },
    { name: 'engine: duet / transformers.js tokens/s, batch 8', measured: ratio(/^batch \d+ tokens/), unit: 'x' },
    { name: 'engine: transformers.js / duet prefill time', measured: ratio(/^prefill/), unit: 'x' },
  ].map((f) => ({ ...f, goal: '>= 1x', pass: f.measured >= 1 }));
  return figures.some((f) => Number.isFinite(f.measured)) ? { bench: 'engine', figures, absolute: {}, notes: ['read from the printed table'] } : undefined;
}

// ---- the table ----
const rows = [['benchmark', 'measured', 'goal', 'verdict']];
for (const result of results) for (const f of result.figures) rows.push([f.name, formatFigure(f), f.goal ?? '', verdictOf(f)]);
for (const failure of failures) rows.push([`${failure.bench}: FAILED`, failure.error, '', 'MISSED']);
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log('\n==== summary ====');
for (const row of rows) console.log(row.map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '));

const loadEnd = loadavg()[0]!;
const shared = Math.max(loadStart, loadEnd) > 2;
if (shared) console.log(`\nthe machine was shared: load average ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end (${cpus().length} cores)`);
const date = new Date().toISOString().slice(0, 10);
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
const file = join(repoRoot, 'bench/results', `${date}.json`);
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      commit,
      quick,
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      loadAverage: { start: loadStart, end: loadEnd },
      machineShared: shared,
      durationS: (Date.now() - started) / 1000,
      results,
      failures,
    },
    null,
    2,
  )}\n`,
);
console.log(`results: ${file}`);
process.exitCode = failures.length > 0 ? 1 : 0;
