import type { Engine, GenerateResult } from '../../source/core/engines/engine.js';
import type { PromptRequest } from './prompts.js';

export interface LoadResult {
  wallMs: number;
  /** CPU time of the whole process (all threads, onnxruntime's included) during the load. */
  cpuMs: number;
  outputTokens: number;
  /** Submit -> first token, per request (ms, main-thread clock). */
  ttftMs: number[];
  results: GenerateResult[];
}

let nextId = 0;

/** Closed loop: `concurrency` requests outstanding until every prompt was answered once. */
export async function closedLoop(engine: Engine, prompts: readonly PromptRequest[], concurrency: number): Promise<LoadResult> {
  let cursor = 0;
  const ttftMs: number[] = [];
  const results: GenerateResult[] = [];
  const start = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, prompts.length) }, async () => {
      while (cursor < prompts.length) {
        const prompt = prompts[cursor++]!;
        const submitted = performance.now();
        let first: number | undefined;
        const result = await engine.generate({ ...prompt, id: `bench-${nextId++}` }, (token) => (first ??= token.t));
        ttftMs.push((result.tFirstToken ?? first ?? result.tEnd) - submitted);
        results.push(result);
      }
    }),
  );
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, outputTokens: results.reduce((sum, r) => sum + r.outputTokens, 0), ttftMs, results };
}

export const tokensPerSecond = (r: Pick<LoadResult, 'wallMs' | 'outputTokens'>): number => (r.outputTokens / r.wallMs) * 1000;
/** Tokens per CPU-second: robust to other processes taking the cores, unlike tokens/s. */
export const tokensPerCpuSecond = (r: Pick<LoadResult, 'cpuMs' | 'outputTokens'>): number => (r.outputTokens / r.cpuMs) * 1000;
