/**
 * Dynamic batching: output tokens/s of the worker-backed ONNX engine (createOnnxEngine, the
 * engine duet run uses) on demo-small at closed-loop concurrency 1, 2, 4, 8, 16, with p99
 * time to first token at each. Every level answers the same SQuAD dev prompts with the same
 * answer lengths, so only the batching differs. Answer lengths are seeded draws (geometric,
 * mean 8, cap 128: the shape DESIGN.md asks of the demo models), enforced by running each
 * request to its length past end-of-turn (bench/lib/fixed-length-worker.ts); --natural
 * lets the model's end-of-turn decide instead. Goal: tokens/s at concurrency 8 >= 3x c1.
 *
 *   npm run bench:batching -- [--model models/demo-small] [--questions 32] [--threads 2] [--levels 1,2,4,8,16] [--rounds 2] [--natural]
 *
 * Levels run in rounds (1, 2, 4, 8, 16, then again) and the best round of each level counts,
 * so a burst of load from elsewhere hurts one round, not one level. Tokens per CPU-second
 * (all threads of this process) is printed too: it shows batching's efficiency even when
 * other processes take the cores.
 */
import { parseArgs } from 'node:util';
import { createOnnxEngine } from '../source/core/engines/onnx/engine.js';
import { modelSchema } from '../source/core/profile/schema.js';
import { modelDir, percentile, requireModel } from './lib/env.js';
import { closedLoop, tokensPerCpuSecond, tokensPerSecond, type LoadResult } from './lib/load.js';
import { answerLengths, squadPrompts } from './lib/prompts.js';
import { report } from './lib/report.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: modelDir('demo-small') },
    questions: { type: 'string', default: '32' },
    threads: { type: 'string', default: '2' },
    levels: { type: 'string', default: '1,2,4,8,16' },
    natural: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
  },
});
const levels = values.levels.split(',').map(Number);
const maxLevel = Math.max(...levels);
const path = requireModel(values.model);
const lengths = answerLengths(Number(values.questions));
const prompts = (await squadPrompts(Number(values.questions))).map((p, i) => (values.natural ? p : { ...p, maxNewTokens: lengths[i]! }));

const engine = await createOnnxEngine(
  modelSchema.parse({ label: 'small', backend: 'onnx', path, batching: { maxBatch: maxLevel, maxWaitMs: 5 } }),
  { threads: Number(values.threads), ...(values.natural ? {} : { workerEntry: new URL('./lib/fixed-length-worker.ts', import.meta.url) }) },
);
await engine.start();
await closedLoop(engine, prompts.slice(0, 4), 4); // warm-up: first runs of each shape are slow

const meanPrompt = prompts.reduce((s, p) => s + p.promptIds.length, 0) / prompts.length;
const answers = values.natural ? "the model's own end-of-turn" : `fixed lengths, mean ${(lengths.reduce((a, b) => a + b, 0) / lengths.length).toFixed(1)} tokens`;
console.log(`${path}: ${prompts.length} SQuAD prompts (mean ${meanPrompt.toFixed(0)} tokens) per level, answers: ${answers}; maxBatch ${maxLevel}, ${values.threads} threads`);
const byLevel = new Map<number, LoadResult>();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const level of levels) {
    const result = await closedLoop(engine, prompts, level);
    const kept = byLevel.get(level);
    if (!kept || result.wallMs < kept.wallMs) byLevel.set(level, result);
  }
}
/** Gaps between consecutive tokens of each answer (inter-token latency), all answers pooled. */
const itls = (r: LoadResult): number[] => r.results.flatMap((x) => x.tokenTimes.slice(1).map((t, i) => t - x.tokenTimes[i]!));
console.log('concurrency   tokens/s   tokens/CPU-s   output tokens   wall ms   p50 TTFT ms   p99 TTFT ms   p50 ITL ms   p99 ITL ms   vs c1');
const base = byLevel.get(levels[0]!)!;
for (const [level, result] of byLevel) {
  console.log(
    [
      String(level).padStart(11),
      tokensPerSecond(result).toFixed(1).padStart(10),
      tokensPerCpuSecond(result).toFixed(1).padStart(14),
      String(result.outputTokens).padStart(15),
      result.wallMs.toFixed(0).padStart(9),
      percentile(result.ttftMs, 50).toFixed(0).padStart(13),
      percentile(result.ttftMs, 99).toFixed(0).padStart(13),
      percentile(itls(result), 50).toFixed(1).padStart(12),
      percentile(itls(result), 99).toFixed(1).padStart(12),
      `${(tokensPerSecond(result) / tokensPerSecond(base)).toFixed(2)}x`.padStart(7),
    ].join(' '),
  );
}
await engine.stop();

const one = byLevel.get(1);
const eight = byLevel.get(8);
const absolute: Record<string, number> = { questions: prompts.length, meanPromptTokens: meanPrompt };
for (const [level, r] of byLevel) {
  absolute[`c${level}TokensPerS`] = tokensPerSecond(r);
  absolute[`c${level}P99TtftMs`] = percentile(r.ttftMs, 99);
  absolute[`c${level}OutputTokens`] = r.outputTokens;
  absolute[`c${level}TokensPerCpuS`] = tokensPerCpuSecond(r);
  absolute[`c${level}P50ItlMs`] = percentile(itls(r), 50);
  absolute[`c${level}P99ItlMs`] = percentile(itls(r), 99);
}
function itlFigure(r: LoadResult) {
  const measured = percentile(itls(r), 99) / percentile(itls(r), 50);
  return { name: 'batching: ITL p99 / ITL p50 at c8 (chunked prefill)', measured, unit: 'x', goal: '<= 2x', pass: measured <= 2 };
}
const ratio = one && eight ? tokensPerSecond(eight) / tokensPerSecond(one) : NaN;
report({
  bench: 'batching',
  figures: [
    { name: 'batching: tokens/s at c8 / c1', measured: ratio, unit: 'x', goal: '>= 3x', pass: ratio >= 3 },
    ...(byLevel.has(16) && one ? [{ name: 'batching: tokens/s at c16 / c1', measured: tokensPerSecond(byLevel.get(16)!) / tokensPerSecond(one), unit: 'x' }] : []),
    ...(one && eight ? [{ name: 'batching: tokens per CPU-second at c8 / c1', measured: tokensPerCpuSecond(eight) / tokensPerCpuSecond(one), unit: 'x' }] : []),
    ...(one && eight ? [{ name: 'batching: p99 TTFT at c8 / c1', measured: percentile(eight.ttftMs, 99) / percentile(one.ttftMs, 99), unit: 'x' }] : []),
    ...(eight ? [itlFigure(eight)] : []),
    // The control: at c1 no prefill is ever interleaved, so its spread is the machine's own noise.
    ...(one ? [{ name: 'batching: ITL p99 / ITL p50 at c1 (control: no prefill to interleave)', measured: percentile(itls(one), 99) / percentile(itls(one), 50), unit: 'x' }] : []),
  ],
  absolute,
  notes: [
    'output tokens/s = all output tokens / wall time of the level; TTFT = submit to first token on the main thread',
    ...(values.natural ? [] : ['answer lengths fixed per prompt (seeded, mean 8, cap 128), run past end-of-turn']),
  ],
});
