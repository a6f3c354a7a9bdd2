import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxGenerator } from '../../../../source/core/engines/onnx/generator.js';
import { pickGreedy } from '../../../../source/core/engines/onnx/greedy.js';
import { prompt, removeModel, writeTinyModel } from './tiny-model.js';

/**
 * The q4 variant (MatMulNBits) of the tiny model against its fp32 twin (same seed, same
 * weights before quantization). Synthetic weights give near-flat logits, so q4 may change a
 * greedy pick wherever fp32's margin (top-1 minus top-2 logit) is within the quantization's
 * logit error; where the margin is larger than twice that error, the pick must agree.
 */
describe('demo model dtypes: q4 (MatMulNBits) vs fp32', () => {
  let fp32Dir: string;
  let q4Dir: string;
  let fp32: OnnxGenerator;
  let q4: OnnxGenerator;
  const prompts = Array.from({ length: 16 }, (_, i) => prompt(3 + i * 2, 40 + i));

  beforeAll(async () => {
    fp32Dir = await writeTinyModel();
    q4Dir = await writeTinyModel({ dtype: 'q4' });
    fp32 = await OnnxGenerator.load(fp32Dir, { intraOpThreads: 1 });
    q4 = await OnnxGenerator.load(q4Dir, { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await fp32?.release();
    await q4?.release();
    await removeModel(fp32Dir);
    await removeModel(q4Dir);
  });

  it('loads as the q4 variant with the onnx-community file name, smaller than fp32', () => {
    expect(q4.model.files.onnxPath.endsWith('onnx/model_q4.onnx')).toBe(true);
    expect(q4.info()).toMatchObject({ dtype: 'q4', synthetic: true });
    expect(q4.model.io).toMatchObject({ layers: 2, kvHeads: 2, headDim: 8, kvType: 'float32', logitsType: 'float32' });
    expect(q4.info().weightBytes).toBeLessThan(fp32.info().weightBytes * 0.6);
  });

  it('generates with the KV cache the tokens of full q4 re-runs without cache', async () => {
    for (const ids of prompts.slice(0, 4)) {
      const cached = await q4.generate(ids, { maxNewTokens: 8, ignoreStop: true });
      const sequence = [...ids];
      for (const token of cached.tokenIds) {
        expect(token).toBe(pickGreedy(await q4.model.logitsWithoutCache(sequence), 0, q4.model.vocab).tokenId);
        sequence.push(token);
      }
    }
  });

  it('keeps logits within the quantization error of fp32 and agrees wherever the margin exceeds it', async () => {
    let agreed = 0;
    let decided = 0;
    for (const ids of prompts) {
      const a = await fp32.model.logitsWithoutCache(ids);
      const b = await q4.model.logitsWithoutCache(ids);
      let errorSquares = 0;
      let squares = 0;
      let maxError = 0;
      for (let i = 0; i < a.length; i++) {
        const d = b[i]! - a[i]!;
        errorSquares += d * d;
        squares += a[i]! * a[i]!;
        maxError = Math.max(maxError, Math.abs(d));
      }
      // Rounding uniform weights to 15 levels of max|w| / 7 is ~7% noise per matrix (step / sqrt(12)
      // over the weights' std); it compounds through the chain of projections and the lm_head
      // (measured 19-33% on these prompts). A layout mistake (nibble order, a transposed block)
      // gives unrelated logits: ~sqrt(2) = 141%.
      expect(Math.sqrt(errorSquares / squares)).toBeLessThan(0.5);
      const sorted = Array.from(a).sort((x, y) => y - x);
      const margin = sorted[0]! - sorted[1]!;
      const same = pickGreedy(a, 0, a.length).tokenId === pickGreedy(b, 0, b.length).tokenId;
      if (same) agreed++;
      if (margin > 2 * maxError) {
        decided++;
        expect(same).toBe(true);
      }
    }
    // Agreement must be well above chance (1 / 512) even on near-flat synthetic logits.
    expect(agreed).toBeGreaterThanOrEqual(prompts.length / 2);
    console.info(`q4 vs fp32 (tiny): ${agreed}/${prompts.length} first picks agree, ${decided} decided by a margin over twice the error`);
  });
});
