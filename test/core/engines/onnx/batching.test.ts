import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateResult } from '../../../../source/core/engines/engine.js';
import { OnnxGenerator } from '../../../../source/core/engines/onnx/generator.js';
import type { PendingSequence } from '../../../../source/core/engines/onnx/sequence.js';
import { prompt, removeModel, writeTinyModel } from './tiny-model.js';

describe('batching on a tiny synthetic model', () => {
  let dir: string;
  let generator: OnnxGenerator;
  const alone = new Map<string, number[]>();
  const prompts = { a: prompt(4, 11), b: prompt(17, 12), c: prompt(9, 13), d: prompt(2, 14) };
  const NEW_TOKENS = 10;

  beforeAll(async () => {
    dir = await writeTinyModel();
    generator = await OnnxGenerator.load(dir, { intraOpThreads: 1 });
    for (const [name, ids] of Object.entries(prompts)) {
      alone.set(name, (await generator.generate(ids, { maxNewTokens: NEW_TOKENS, ignoreStop: true })).tokenIds);
    }
  });
  afterAll(async () => {
    await generator?.release();
    await removeModel(dir);
  });

  it('gives each sequence of a left-padded batch the tokens it gets alone', async () => {
    const names = ['a', 'b', 'c', 'd'] as const;
    const results = await generator.generateBatch(names.map((n) => prompts[n]), { maxNewTokens: NEW_TOKENS, ignoreStop: true });
    results.forEach((result, i) => {
      expect(result.tokenIds, names[i]).toEqual(alone.get(names[i]!));
      expect(result.batchSize).toBe(4);
    });
  });

  it('lets requests join mid-decode and leave early without changing anyone’s tokens', async () => {
    const batch = generator.runningBatch();
    const results = new Map<string, GenerateResult>();
    const pending = (id: keyof typeof prompts, maxNewTokens = NEW_TOKENS): PendingSequence => ({
      request: { id, promptIds: prompts[id], maxNewTokens, ignoreStop: true },
      onDone: (r) => results.set(id, r),
      onError: (e) => {
        throw e;
      },
    });
    // a leaves after 3 tokens; b runs on; c (shorter than b's history) joins after 2 steps, d later.
    await batch.admit([pending('a', 3), pending('b')]);
    await batch.step();
    await batch.step();
    expect(results.get('a')?.tokenIds).toEqual(alone.get('a')!.slice(0, 3));
    expect(batch.size).toBe(1);
    await batch.admit([pending('c')]);
    expect(batch.size).toBe(2);
    await batch.step();
    await batch.admit([pending('d')]);
    while (batch.size > 0) await batch.step();
    for (const id of ['b', 'c', 'd'] as const) expect(results.get(id)?.tokenIds, id).toEqual(alone.get(id));
    expect(results.get('c')?.batchSize).toBe(3);
    expect(batch.cacheLength).toBe(0);
  });

  it('chunked prefill between decode steps gives every row the tokens it gets alone', async () => {
    const batch = generator.runningBatch();
    const results = new Map<string, GenerateResult>();
    const pending = (id: keyof typeof prompts): PendingSequence => ({
      request: { id, promptIds: prompts[id], maxNewTokens: NEW_TOKENS, ignoreStop: true },
      onDone: (r) => results.set(id, r),
      onError: (e) => {
        throw e;
      },
    });
    await batch.admit([pending('a')]);
    await batch.step();
    // b (17 tokens) and c (9) prefill together, left-padded to 17 columns; a budget of 6 tokens
    // over 2 rows is 3 columns a chunk: ceil(17 / 3) = 6 chunks, a decoding step after each.
    expect(batch.startPrefill([pending('b'), pending('c')])).toBe(true);
    let chunks = 0;
    while (batch.prefilling > 0) {
      expect(batch.size).toBe(3);
      await batch.advancePrefill(6);
      chunks++;
      await batch.step();
    }
    expect(chunks).toBe(6);
    expect(batch.decoding).toBe(3);
    while (batch.size > 0) await batch.step();
    for (const id of ['a', 'b', 'c'] as const) expect(results.get(id)?.tokenIds, id).toEqual(alone.get(id));
  });

  it('an abort during a chunked prefill ends that row at once and leaves its group-mate intact', async () => {
    const batch = generator.runningBatch();
    const results = new Map<string, GenerateResult>();
    const pending = (id: keyof typeof prompts): PendingSequence => ({
      request: { id, promptIds: prompts[id], maxNewTokens: NEW_TOKENS, ignoreStop: true },
      onDone: (r) => results.set(id, r),
      onError: (e) => {
        throw e;
      },
    });
    batch.startPrefill([pending('b'), pending('c')]);
    await batch.advancePrefill(8); // 4 of b's 17 columns
    expect(batch.markAborted('b')).toBe(true);
    batch.removeAborted();
    expect(results.get('b')).toMatchObject({ finishReason: 'abort', outputTokens: 0 });
    expect(batch.size).toBe(1);
    while (batch.prefilling > 0) await batch.advancePrefill(4);
    while (batch.size > 0) await batch.step();
    expect(results.get('c')?.tokenIds).toEqual(alone.get('c'));
  });

  it('trims cache columns that every row masks once the long row leaves', async () => {
    const batch = generator.runningBatch();
    const noop = () => {};
    const fail = (e: Error) => {
      throw e;
    };
    await batch.admit([
      { request: { id: 'long', promptIds: prompts.b, maxNewTokens: 1, ignoreStop: true }, onDone: noop, onError: fail },
      { request: { id: 'short', promptIds: prompts.d, maxNewTokens: 5, ignoreStop: true }, onDone: noop, onError: fail },
    ]);
    // 'long' finished at prefill (1 token): only the short row's real tokens remain.
    expect(batch.size).toBe(1);
    expect(batch.cacheLength).toBe(prompts.d.length);
  });

  it('continuous batcher: waits up to maxWaitMs to fill a batch, then serves later arrivals at the next step', async () => {
    const loads: number[] = [];
    const batcher = generator.batcher({ maxBatch: 3, maxWaitMs: 30, onLoad: (l) => loads.push(l.batchSize) });
    const first = [batcher.submit({ id: 'a', promptIds: prompts.a, maxNewTokens: NEW_TOKENS, ignoreStop: true })];
    await new Promise((r) => setTimeout(r, 5));
    first.push(batcher.submit({ id: 'b', promptIds: prompts.b, maxNewTokens: NEW_TOKENS, ignoreStop: true }));
    const [a, b] = await Promise.all(first);
    expect(a!.batchSize).toBe(2); // b arrived within maxWaitMs, so both started together
    expect(b!.tStart).toBe(a!.tStart);
    const late = batcher.submit({ id: 'c', promptIds: prompts.c, maxNewTokens: 30, ignoreStop: true });
    await new Promise((r) => setTimeout(r, 0));
    const d = await batcher.submit({ id: 'd', promptIds: prompts.d, maxNewTokens: NEW_TOKENS, ignoreStop: true });
    const c = await late;
    expect(a!.tokenIds).toEqual(alone.get('a'));
    expect(b!.tokenIds).toEqual(alone.get('b'));
    expect(d.tokenIds).toEqual(alone.get('d'));
    expect(c.tokenIds.slice(0, NEW_TOKENS)).toEqual(alone.get('c'));
    expect(d.batchSize).toBe(2); // d joined c's running batch
    expect(Math.max(...loads)).toBeLessThanOrEqual(3);
    expect(batcher.load()).toEqual({ queued: 0, running: 0, batchSize: 0 });
  });

  it('continuous batcher: a newcomer is prefilled in chunks while the running row keeps decoding', async () => {
    const batcher = generator.batcher({ maxBatch: 2, maxWaitMs: 0, prefillChunkTokens: 4 });
    const cTimes: number[] = [];
    let late: Promise<GenerateResult> | undefined;
    const c = await Promise.all([
      batcher.submit({ id: 'c', promptIds: prompts.c, maxNewTokens: 30, ignoreStop: true }, (token) => {
        if (cTimes.push(token.t) === 2) late = batcher.submit({ id: 'b', promptIds: prompts.b, maxNewTokens: NEW_TOKENS, ignoreStop: true });
      }),
    ]);
    const b = await late!;
    expect(b.tokenIds).toEqual(alone.get('b'));
    expect(c[0]!.tokenIds.slice(0, NEW_TOKENS)).toEqual(alone.get('c'));
    // b's 17 prompt tokens in chunks of 4 take 5 passes; c decodes a token after each of the first 4.
    expect(cTimes.filter((t) => t > b.tStart && t < b.tFirstToken!)).toHaveLength(4);
  });

  it('aborts a queued request and a running one, leaving the others intact', async () => {
    const batcher = generator.batcher({ maxBatch: 2, maxWaitMs: 0 });
    const tokens: number[] = [];
    const running = batcher.submit({ id: 'run', promptIds: prompts.a, maxNewTokens: 200, ignoreStop: true }, () => {
      if (tokens.push(1) === 3) batcher.abort('run');
    });
    const other = batcher.submit({ id: 'other', promptIds: prompts.b, maxNewTokens: NEW_TOKENS, ignoreStop: true });
    const queued = batcher.submit({ id: 'queued', promptIds: prompts.c, maxNewTokens: NEW_TOKENS, ignoreStop: true });
    expect(batcher.abort('queued')).toBe(true);
    expect(batcher.abort('unknown')).toBe(false);
    const [r, o, q] = await Promise.all([running, other, queued]);
    expect(q).toMatchObject({ finishReason: 'abort', outputTokens: 0 });
    expect(r.finishReason).toBe('abort');
    expect(r.outputTokens).toBeGreaterThanOrEqual(3);
    expect(r.outputTokens).toBeLessThan(200);
    expect(r.tokenIds).toEqual(alone.get('a')!.slice(0, r.outputTokens));
    expect(o.tokenIds).toEqual(alone.get('b'));
  });
});
