/**
 * TUI overhead: the same `duet run` (default profile, same seed, limit, dataset) with the
 * live screen rendering to a pseudo-terminal (util-linux `script`, 120x40) vs --headless.
 * Tokens/s of each comes from its session log: output tokens of all answers / (last answer
 * - first question issued). Both runs do the same work (greedy, same questions), so the
 * ratio is also headless time / TUI time, which stays defined when the demo models answer
 * with (almost) no tokens. Runs alternate (headless, TUI, ...), best of --rounds each.
 * The main thread's event-loop lag is sampled every 10 ms in each duet process
 * (bench/lib/loop-lag.mjs, preloaded), keeping the samples taken while questions were
 * answered. Goal: TUI throughput >= 97% of headless (<= 3% loss).
 *
 *   npm run bench:tui -- [--limit 64] [--rounds 2] [--concurrency 4]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { modelDir, percentile, repoRoot, requireModel, squadDev } from './lib/env.js';
import { report } from './lib/report.js';

const { values } = parseArgs({
  options: {
    limit: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
  },
});
requireModel(modelDir('demo-small'));
requireModel(modelDir('demo-large'));
if (spawnSync('script', ['--version']).status !== 0) {
  console.error('bench:tui needs util-linux `script` for a pseudo-terminal');
  process.exit(1);
}

interface RunFigures {
  tokensPerS: number;
  outputTokens: number;
  answers: number;
  spanMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

const dir = mkdtempSync(join(tmpdir(), 'duet-bench-tui-'));
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function duetRun(mode: 'tui' | 'headless', round: number): RunFigures {
  const log = join(dir, `${mode}-${round}.jsonl`);
  const lag = join(dir, `${mode}-${round}.lag.json`);
  const args = [
    '--import', join(repoRoot, 'bench/lib/loop-lag.mjs'), join(repoRoot, 'bin/duet.js'), 'run',
    '--dataset', squadDev, '--limit', values.limit, '--seed', '1', '--concurrency', values.concurrency, '--telemetry', 'none', '--log', log,
    ...(mode === 'headless' ? ['--headless'] : []),
  ];
  const env = { ...process.env, DUET_BENCH_LOOP_LAG: lag, FORCE_COLOR: '1' };
  const result =
    mode === 'headless'
      ? spawnSync(process.execPath, args, { env, encoding: 'utf8', cwd: repoRoot })
      : // script gives duet a pty; stty sets a real screen size (a pty starts at 0x0).
        spawnSync('script', ['-qfec', `stty cols 120 rows 40; exec ${[process.execPath, ...args].map(quote).join(' ')}`, '/dev/null'], { env, encoding: 'utf8', cwd: repoRoot });
  if (result.status !== 0) throw new Error(`duet run (${mode}) exited ${result.status}: ${(result.stderr || result.stdout).slice(-2000)}`);
  const figures = figuresFromLog(log);
  return { ...figures, ...lagFrom(lag, figures.from, figures.to) };
}

function figuresFromLog(path: string): Omit<RunFigures, 'lagP99Ms' | 'lagMaxMs'> & { from: number; to: number } {
  let firstIssued = Infinity;
  let lastDone = -Infinity;
  let outputTokens = 0;
  let answers = 0;
  for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    const event = JSON.parse(line) as { type: string; t: number; record?: { outputTokens: number; tDone: number } };
    if (event.type === 'query-issued') firstIssued = Math.min(firstIssued, event.t);
    if (event.type === 'query-finished' && event.record) {
      outputTokens += event.record.outputTokens;
      answers++;
      lastDone = Math.max(lastDone, event.record.tDone);
    }
  }
  const spanMs = lastDone - firstIssued;
  return { tokensPerS: (outputTokens / spanMs) * 1000, outputTokens, answers, spanMs, from: firstIssued, to: lastDone };
}

function lagFrom(path: string, from: number, to: number): { lagP99Ms: number; lagMaxMs: number } {
  const samples = (JSON.parse(readFileSync(path, 'utf8')) as Array<[number, number]>).filter(([t]) => t >= from && t <= to).map(([, lag]) => lag);
  return { lagP99Ms: percentile(samples, 99), lagMaxMs: Math.max(...samples) };
}

const best: Partial<Record<'tui' | 'headless', RunFigures>> = {};
try {
  console.log(`duet run, default profile, ${values.limit} SQuAD dev questions, seed 1, concurrency ${values.concurrency}; TUI on a 120x40 pty vs --headless`);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const mode of ['headless', 'tui'] as const) {
      const r = duetRun(mode, round);
      console.log(`${mode.padEnd(8)} round ${round + 1}: ${r.tokensPerS.toFixed(1)} tokens/s (${r.outputTokens} tokens, ${r.answers} answers in ${(r.spanMs / 1000).toFixed(1)} s), event-loop lag p99 ${r.lagP99Ms.toFixed(1)} ms, max ${r.lagMaxMs.toFixed(0)} ms`);
      if (!best[mode] || r.spanMs < best[mode].spanMs) best[mode] = r;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const tui = best.tui!;
const headless = best.headless!;
if (tui.outputTokens !== headless.outputTokens) console.log(`note: the runs generated different token counts (${tui.outputTokens} vs ${headless.outputTokens})`);
// Same work on both sides: tokens/s ratio = time ratio (defined even with 0 tokens).
const ratio = tui.outputTokens === headless.outputTokens ? headless.spanMs / tui.spanMs : tui.tokensPerS / headless.tokensPerS;
report({
  bench: 'tui',
  figures: [
    { name: 'TUI / headless throughput (tokens/s)', measured: ratio, unit: 'x', goal: '>= 0.97x (<= 3% loss)', pass: ratio >= 0.97 },
    { name: 'TUI run: event-loop lag p99', measured: tui.lagP99Ms, unit: 'ms' },
    { name: 'TUI / headless event-loop lag p99', measured: tui.lagP99Ms / headless.lagP99Ms, unit: 'x' },
  ],
  absolute: {
    limit: Number(values.limit),
    tuiTokensPerS: tui.tokensPerS,
    headlessTokensPerS: headless.tokensPerS,
    tuiSpanMs: tui.spanMs,
    headlessSpanMs: headless.spanMs,
    tuiOutputTokens: tui.outputTokens,
    headlessOutputTokens: headless.outputTokens,
    tuiLagP99Ms: tui.lagP99Ms,
    headlessLagP99Ms: headless.lagP99Ms,
    tuiLagMaxMs: tui.lagMaxMs,
    headlessLagMaxMs: headless.lagMaxMs,
  },
  notes: ['event-loop lag: how late a 10 ms timer fired, sampled from the first question issued to the last answer'],
});
