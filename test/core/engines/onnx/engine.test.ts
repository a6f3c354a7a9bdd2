import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, GenerateRequest, TokenEvent } from '../../../../source/core/engines/engine.js';
import { createOnnxEngine } from '../../../../source/core/engines/onnx/engine.js';
import type { ModelProfile } from '../../../../source/core/profile/schema.js';
import { prompt, removeModel, writeTinyModel } from './tiny-model.js';

const profile = (label: string, path: string, maxBatch = 4): ModelProfile => ({
  label,
  backend: 'onnx',
  path,
  api: 'chat',
  requestTimeoutMs: 60_000,
  batching: { maxBatch, maxWaitMs: 2 },
  executionProviders: ['cpu'],
  intraOpThreads: 1,
});

const request = (id: string, promptIds: number[], maxNewTokens: number, signal?: AbortSignal): GenerateRequest => ({
  id,
  messages: [],
  promptIds,
  promptText: '',
  maxNewTokens,
  ...(signal ? { signal } : {}),
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('createOnnxEngine (one worker thread per model)', () => {
  let dir: string;
  let small: Engine;
  let large: Engine;

  beforeAll(async () => {
    // Big enough that one forward pass of a long prompt blocks its thread for tens of ms.
    dir = await writeTinyModel({ hiddenSize: 256, intermediateSize: 1024, layers: 4, heads: 8, kvHeads: 2, headDim: 32, vocabSize: 4096 });
    small = await createOnnxEngine(profile('A', dir));
    large = await createOnnxEngine(profile('B', dir));
    await Promise.all([small.start(), large.start()]);
  });
  afterAll(async () => {
    await Promise.all([small?.stop(), large?.stop()]);
    await removeModel(dir);
  });

  it('reports what it loaded', () => {
    expect(small.info()).toMatchObject({ label: 'A', backend: 'onnx', device: 'cpu', synthetic: true, dtype: 'fp32' });
    expect(small.info().params).toBeGreaterThan(3_000_000);
  });

  it('decodes on two models at once while the main thread timers stay on time', async () => {
    const lags: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      lags.push(now - last - 10);
      last = now;
    }, 10);
    const tokens: TokenEvent[] = [];
    const before = performance.now();
    const results = await Promise.all([
      small.generate(request('s1', prompt(600, 1, 4000), 40), (t) => tokens.push(t)),
      small.generate(request('s2', prompt(300, 2, 4000), 40)),
      large.generate(request('l1', prompt(600, 3, 4000), 40)),
    ]);
    clearInterval(timer);
    const after = performance.now();
    expect(results.map((r) => r.finishReason)).toEqual(['length', 'length', 'length']);
    expect(results.map((r) => r.outputTokens)).toEqual([40, 40, 40]);
    expect(results[0]!.batchSize).toBe(2);
    // Worker timestamps land on the main thread's clock, in order.
    const r = results[0]!;
    expect(r.tStart).toBeGreaterThanOrEqual(before);
    expect(r.tEnd).toBeLessThanOrEqual(after);
    expect(tokens.map((t) => t.t)).toEqual(r.tokenTimes);
    expect(tokens.map((t) => t.tokenId)).toEqual(r.tokenIds);
    expect(lags.length).toBeGreaterThan(20);
    const lagReport = `timer lag p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms, max ${Math.max(...lags).toFixed(1)} ms`;
    expect(percentile(lags, 99), lagReport).toBeLessThan(100);
    expect(small.load(), JSON.stringify(results.map((x) => [x.tStart, x.tEnd, x.batchSize]))).toEqual({ queued: 0, running: 0, batchSize: 0 });
  }, 120_000);

  it('aborts a running request with finishReason abort and keeps serving', async () => {
    const controller = new AbortController();
    controller.abort();
    const abortedEarly = small.generate(request('ab2', prompt(5, 4, 4000), 1000, controller.signal));
    expect(await abortedEarly).toMatchObject({ finishReason: 'abort', outputTokens: 0 });
    const second = new AbortController();
    let count = 0;
    const running = small.generate(request('ab3', prompt(5, 5, 4000), 1000, second.signal), () => {
      if (++count === 3) second.abort();
    });
    const result = await running;
    expect(result.finishReason).toBe('abort');
    expect(result.outputTokens).toBeGreaterThanOrEqual(3);
    expect(result.outputTokens).toBeLessThan(1000);
    const after = await small.generate(request('ok', prompt(5, 5, 4000), 3));
    expect(after.tokenIds).toEqual(result.tokenIds.slice(0, 3));
  }, 60_000);
});

describe('createOnnxEngine worker failures', () => {
  it('rejects in-flight requests with a clear error when the worker crashes', async () => {
    const dir = await writeTinyModel();
    try {
      const engine = await createOnnxEngine(profile('C', dir), { workerEntry: new URL('./crashing-worker.ts', import.meta.url) });
      await engine.start();
      await expect(engine.generate(request('x', [1, 2, 3], 5))).rejects.toThrow(/ONNX worker of model "C" crashed: simulated crash/);
      await expect(engine.generate(request('y', [1, 2, 3], 5))).rejects.toThrow(/not running/);
      await engine.stop();
    } finally {
      await removeModel(dir);
    }
  }, 60_000);
});
