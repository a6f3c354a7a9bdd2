/**
 * HTTP path cost: output tokens/s of `duet serve` (a separate process) reached through the
 * OpenAI backend (createOpenAIEngine, streaming /v1/completions with the same rendered
 * prompt text) vs the in-process engine (createOnnxEngine) on the same model folder, the
 * same SQuAD prompts, the same closed-loop concurrency and batching settings. Both are up
 * at once but only one has work; rounds alternate (in-process, HTTP, ...) and the best
 * round of each counts. Both generate the same tokens (greedy, same prompts), so the
 * tokens/s ratio is computed as in-process time / HTTP time: defined even when the demo
 * model answers with no tokens at all. Goal: HTTP / in-process >= 0.9.
 *
 *   npm run bench:http -- [--model models/demo-small] [--questions 24] [--concurrency 4] [--rounds 2] [--threads 2]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Engine } from '../source/core/engines/engine.js';
import { createOnnxEngine } from '../source/core/engines/onnx/engine.js';
import { createOpenAIEngine } from '../source/core/engines/openai/engine.js';
import { modelSchema } from '../source/core/profile/schema.js';
import { modelDir, repoRoot, requireModel } from './lib/env.js';
import { closedLoop, tokensPerSecond, type LoadResult } from './lib/load.js';
import { squadPrompts } from './lib/prompts.js';
import { report } from './lib/report.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: modelDir('demo-small') },
    questions: { type: 'string', default: '24' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
  },
});
const path = requireModel(values.model);
const concurrency = Number(values.concurrency);
const maxBatch = 8;
const prompts = await squadPrompts(Number(values.questions));

/** Starts `duet serve` on a free port; resolves with its /v1 URL and a stop function. */
async function startServe(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/duet.js'), 'serve', '--model', path, '--port', '0', '--threads', values.threads, '--max-batch', String(maxBatch)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`duet serve exited (code ${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /(http:\/\/\S+\/v1)/.exec(line);
      if (match) resolve(match[1]!);
    });
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const local = await createOnnxEngine(modelSchema.parse({ label: 'in-process', backend: 'onnx', path, batching: { maxBatch, maxWaitMs: 5 } }), {
  threads: Number(values.threads),
});
await local.start();
const serve = await startServe();
const remote: Engine = createOpenAIEngine(modelSchema.parse({ label: 'http', backend: 'openai', url: serve.url, api: 'completions' }));
await remote.start();

try {
  const warm = prompts.slice(0, concurrency);
  await closedLoop(local, warm, concurrency);
  await closedLoop(remote, warm, concurrency);
  const best: { local?: LoadResult; remote?: LoadResult } = {};
  const keep = (key: 'local' | 'remote', r: LoadResult) => {
    if (!best[key] || r.wallMs < best[key].wallMs) best[key] = r;
  };
  for (let round = 0; round < Number(values.rounds); round++) {
    const a = await closedLoop(local, prompts, concurrency);
    const b = await closedLoop(remote, prompts, concurrency);
    const line = (r: LoadResult) => `${tokensPerSecond(r).toFixed(1)} tokens/s (${r.outputTokens} tokens in ${r.wallMs.toFixed(0)} ms)`;
    console.log(`round ${round + 1}: in-process ${line(a)}, HTTP ${line(b)}`);
    keep('local', a);
    keep('remote', b);
  }
  const same = best.local!.outputTokens === best.remote!.outputTokens;
  const ratio = same ? best.local!.wallMs / best.remote!.wallMs : tokensPerSecond(best.remote!) / tokensPerSecond(best.local!);
  report({
    bench: 'http',
    figures: [{ name: 'HTTP (duet serve + OpenAI backend) / in-process tokens/s', measured: ratio, unit: 'x', goal: '>= 0.9x', pass: ratio >= 0.9 }],
    absolute: {
      questions: prompts.length,
      concurrency,
      inProcessTokensPerS: tokensPerSecond(best.local!),
      httpTokensPerS: tokensPerSecond(best.remote!),
      inProcessOutputTokens: best.local!.outputTokens,
      httpOutputTokens: best.remote!.outputTokens,
      inProcessWallMs: best.local!.wallMs,
      httpWallMs: best.remote!.wallMs,
    },
    notes: same ? ['same tokens on both paths: ratio = in-process time / HTTP time'] : ['the two paths generated different token counts (the HTTP path counts what the server reports)'],
  });
} finally {
  await remote.stop();
  await serve.stop();
  await local.stop();
}
