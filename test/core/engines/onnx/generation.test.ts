import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickGreedy } from '../../../../source/core/engines/onnx/greedy.js';
import { OnnxGenerator } from '../../../../source/core/engines/onnx/generator.js';
import { prompt, removeModel, withStopIds, writeTinyModel } from './tiny-model.js';

describe('OnnxGenerator on a tiny synthetic model', () => {
  let dir: string;
  let generator: OnnxGenerator;

  beforeAll(async () => {
    dir = await writeTinyModel();
    generator = await OnnxGenerator.load(dir, { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await generator?.release();
    await removeModel(dir);
  });

  /** Greedy decoding by re-running the whole sequence each step: no cache involved. */
  async function greedyWithoutCache(ids: number[], steps: number): Promise<number[]> {
    const sequence = [...ids];
    const out: number[] = [];
    for (let i = 0; i < steps; i++) {
      const logits = await generator.model.logitsWithoutCache(sequence);
      const { tokenId } = pickGreedy(logits, 0, generator.model.vocab);
      out.push(tokenId);
      sequence.push(tokenId);
    }
    return out;
  }

  it('reads the graph shape from the model, not from constants', () => {
    const { io } = generator.model;
    expect({ layers: io.layers, kvHeads: io.kvHeads, headDim: io.headDim, vocab: generator.model.vocab }).toEqual({ layers: 2, kvHeads: 2, headDim: 8, vocab: 512 });
    expect(generator.info()).toMatchObject({ backend: 'onnx', model: 'tiny', device: 'cpu', synthetic: true, dtype: 'fp32' });
    expect(generator.info().weightBytes).toBeGreaterThan(100_000);
  });

  it('generates with the KV cache exactly the tokens of full re-runs without cache', async () => {
    for (const [length, seed] of [[3, 1], [11, 2], [29, 3]] as const) {
      const ids = prompt(length, seed);
      const cached = await generator.generate(ids, { maxNewTokens: 12, ignoreStop: true });
      expect(cached.tokenIds).toEqual(await greedyWithoutCache(ids, 12));
    }
  });

  it('streams tokens in order with monotonic timestamps that match the result', async () => {
    const streamed: Array<{ tokenId: number; text: string; t: number }> = [];
    const result = await generator.generate(prompt(9, 4), { maxNewTokens: 10, ignoreStop: true, onToken: (t) => streamed.push(t) });
    expect(streamed.map((t) => t.tokenId)).toEqual(result.tokenIds);
    expect(streamed.map((t) => t.t)).toEqual(result.tokenTimes);
    for (let i = 1; i < streamed.length; i++) expect(streamed[i]!.t).toBeGreaterThanOrEqual(streamed[i - 1]!.t);
    expect(result.tStart).toBeLessThanOrEqual(result.tFirstToken!);
    expect(result.tFirstToken).toBe(streamed[0]!.t);
    expect(result.tEnd).toBeGreaterThanOrEqual(streamed.at(-1)!.t);
    // Deltas concatenate to the text (modulo a held-back incomplete character at the end).
    expect(result.text.startsWith(streamed.map((t) => t.text).join(''))).toBe(true);
    expect(result.text).toBe(generator.model.decoder.decode(result.tokenIds));
  });

  it('reports the mean log-softmax of the chosen tokens, computed by hand on the same logits', async () => {
    const ids = prompt(7, 5);
    const result = await generator.generate(ids, { maxNewTokens: 5, ignoreStop: true });
    let sum = 0;
    const sequence = [...ids];
    for (const token of result.tokenIds) {
      const logits = Array.from(await generator.model.logitsWithoutCache(sequence));
      const max = Math.max(...logits);
      const logSumExp = max + Math.log(logits.reduce((s, x) => s + Math.exp(x - max), 0));
      sum += logits[token]! - logSumExp;
      sequence.push(token);
    }
    expect(result.meanLogProb).toBeCloseTo(sum / result.tokenIds.length, 4);
  });

  it('stops at maxNewTokens with finishReason length', async () => {
    const result = await generator.generate(prompt(5, 6), { maxNewTokens: 4, ignoreStop: true });
    expect(result).toMatchObject({ outputTokens: 4, finishReason: 'length' });
  });

  it('stops at a stop id from generation_config.json, leaving it out of the answer', async () => {
    const ids = prompt(6, 7);
    const free = await generator.generate(ids, { maxNewTokens: 8, ignoreStop: true });
    const stopAt = free.tokenIds.findIndex((t) => t !== free.tokenIds[0]);
    expect(stopAt).toBeGreaterThan(0); // the test needs a token that first appears after the start
    const stopId = free.tokenIds[stopAt]!;
    const stopping = await OnnxGenerator.load(await withStopIds(dir, [stopId]), { intraOpThreads: 1 });
    try {
      const result = await stopping.generate(ids, { maxNewTokens: 8 });
      expect(result.finishReason).toBe('stop');
      expect(result.tokenIds).toEqual(free.tokenIds.slice(0, stopAt));
      const ignoring = await stopping.generate(ids, { maxNewTokens: 8, ignoreStop: true });
      expect(ignoring.tokenIds).toEqual(free.tokenIds);
    } finally {
      await stopping.release();
    }
  });

  it('returns an empty answer (with its log-prob) when the first choice is a stop id', async () => {
    const ids = prompt(6, 8);
    const free = await generator.generate(ids, { maxNewTokens: 1, ignoreStop: true });
    const stopping = await OnnxGenerator.load(await withStopIds(dir, [free.tokenIds[0]!]), { intraOpThreads: 1 });
    try {
      const result = await stopping.generate(ids, { maxNewTokens: 8 });
      expect(result).toMatchObject({ finishReason: 'stop', text: '', tokenIds: [], outputTokens: 0 });
      expect(result.meanLogProb).toBeCloseTo(free.meanLogProb!, 6);
      expect(result.tFirstToken).toBeGreaterThanOrEqual(result.tStart);
    } finally {
      await stopping.release();
    }
  });

  it('rejects prompts with ids outside the vocabulary', async () => {
    await expect(generator.generate([1, 600, 2], { maxNewTokens: 2 })).rejects.toThrow(/600 is outside the model's vocabulary/);
  });
});
