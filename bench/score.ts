/**
 * Scoring speed on the full SQuAD 2.0 dev set (11,873 questions) with the BERT-single
 * prediction fixture: duet's scorer (load dataset + predictions, evaluateSquad, print the
 * scores) as its own process vs the official evaluate-v2.0.py, which is NOT shipped with
 * duet: it runs only when env SQUAD_EVAL_SCRIPT points at a copy (python3 needed). Both
 * are timed as whole processes (start-up included, as a user would run them), best of
 * --repeats, alternately; their scores must agree. Goal: duet faster (ratio >= 1).
 *
 *   SQUAD_EVAL_SCRIPT=/path/evaluate-v2.0.py npm run bench:score -- [--repeats 3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, squadDev, squadDir } from './lib/env.js';
import { report } from './lib/report.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' } } });
const repeats = Number(values.repeats);
const predictions = join(squadDir, 'pred-bert-single-google.dev-v2.0.json');
const script = process.env.SQUAD_EVAL_SCRIPT;
const child = join(repoRoot, 'bench/lib/score-child.ts');

interface Timed {
  ms: number;
  scores: Record<string, number>;
  workMs?: number;
}

function time(command: string, args: string[]): Timed {
  const start = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const work = /work-ms ([\d.]+)/.exec(result.stderr);
  return { ms, scores: JSON.parse(result.stdout) as Record<string, number>, ...(work ? { workMs: Number(work[1]) } : {}) };
}
const best = (runs: Timed[]) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));

const runPython = script !== undefined && existsSync(script);
if (script !== undefined && !runPython) console.log(`SQUAD_EVAL_SCRIPT=${script}: no such file; the reference is not run`);
const duetRuns: Timed[] = [];
const pythonRuns: Timed[] = [];
for (let i = 0; i < repeats; i++) {
  duetRuns.push(time(process.execPath, ['--import', 'tsx', child, squadDev, predictions]));
  if (runPython) pythonRuns.push(time('python3', [script, squadDev, predictions]));
}
const duet = best(duetRuns);
console.log(`duet scorer: ${duet.ms.toFixed(0)} ms as a process (node + tsx start included), ${duet.workMs?.toFixed(0)} ms of work (load + score)`);
console.log(`duet scores: exact ${duet.scores.exact?.toFixed(4)}, f1 ${duet.scores.f1?.toFixed(4)}`);

const absolute: Record<string, number | string> = { questions: duet.scores.total ?? 0, duetProcessMs: duet.ms, duetWorkMs: duet.workMs ?? NaN };
const notes: string[] = [];
let ratio = NaN;
if (runPython) {
  const python = best(pythonRuns);
  ratio = python.ms / duet.ms;
  const agree = ['exact', 'f1', 'HasAns_exact', 'HasAns_f1', 'NoAns_exact', 'NoAns_f1'].every((k) => Math.abs((python.scores[k] ?? NaN) - (duet.scores[k] ?? NaN)) < 1e-9);
  console.log(`official script: ${python.ms.toFixed(0)} ms as a process (python3 ${execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim()}); scores ${agree ? 'agree' : 'DIFFER'}`);
  absolute.pythonProcessMs = python.ms;
  absolute.scoresAgree = agree ? 'yes' : 'no';
  if (!agree) notes.push('duet and the official script disagree on the scores');
} else {
  notes.push('the official evaluate-v2.0.py was not run (set SQUAD_EVAL_SCRIPT to your copy); duet\'s own time is above');
}
report({
  bench: 'score',
  figures: [
    runPython
      ? { name: 'scoring: official script time / duet time', measured: ratio, unit: 'x', goal: '>= 1x (faster)', pass: ratio >= 1 }
      : { name: 'scoring: official script time / duet time (reference not run)', measured: NaN, unit: 'x', goal: '>= 1x (faster)' },
  ],
  absolute,
  notes,
});
