import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoDtype } from '../../../../source/core/engines/onnx/demo/spec.js';
import { float16Table } from '../../../../source/core/engines/onnx/float16.js';
import { OnnxGenerator } from '../../../../source/core/engines/onnx/generator.js';
import { pickGreedy } from '../../../../source/core/engines/onnx/greedy.js';
import { prompt, removeModel, writeTinyModel } from './tiny-model.js';

const widen = (logits: Float32Array | Uint16Array): Float32Array =>
  logits instanceof Uint16Array ? Float32Array.from(logits, (bits) => float16Table()[bits]!) : logits;

/**
 * Each dtype of the tiny model against its fp32 twin (same seed, same weights before
 * conversion). Expected agreement: float16 rounds each value to 11 significant bits (~0.05%),
 * which compounds to well under 1% of the logits (measured 0.2%, 16 of 16 picks agree); 4-bit blocks round each uniform weight to
 * 15 levels of max|w| / 7 (~7% noise per matrix), which compounds through the chain of
 * projections and the lm_head (measured up to 36%, 11 of 16 picks agree). A layout mistake (nibble order, a
 * transposed block, a wrong type) gives unrelated logits: ~sqrt(2) = 141%. Synthetic weights
 * give near-flat logits, so a pick may change wherever fp32's margin (top-1 minus top-2) is
 * within the error; where the margin exceeds twice the largest logit error, it must agree.
 */
const cases: Array<{ dtype: DemoDtype; file: string; floats: 'float32' | 'float16'; maxRelativeError: number; minAgreement: number }> = [
  { dtype: 'fp16', file: 'onnx/model_fp16.onnx', floats: 'float16', maxRelativeError: 0.01, minAgreement: 15 },
  { dtype: 'q4', file: 'onnx/model_q4.onnx', floats: 'float32', maxRelativeError: 0.5, minAgreement: 8 },
  { dtype: 'q4f16', file: 'onnx/model_q4f16.onnx', floats: 'float16', maxRelativeError: 0.5, minAgreement: 8 },
];

describe('demo model dtypes vs fp32', () => {
  let fp32Dir: string;
  let fp32: OnnxGenerator;
  const prompts = Array.from({ length: 16 }, (_, i) => prompt(3 + i * 2, 40 + i));

  beforeAll(async () => {
    fp32Dir = await writeTinyModel();
    fp32 = await OnnxGenerator.load(fp32Dir, { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await fp32?.release();
    await removeModel(fp32Dir);
  });

  describe.each(cases)('$dtype', ({ dtype, file, floats, maxRelativeError, minAgreement }) => {
    let dir: string;
    let variant: OnnxGenerator;
    beforeAll(async () => {
      dir = await writeTinyModel({ dtype });
      variant = await OnnxGenerator.load(dir, { intraOpThreads: 1 });
    });
    afterAll(async () => {
      await variant?.release();
      await removeModel(dir);
    });

    it('loads under the onnx-community file name, with its KV cache and logits types read from the graph', () => {
      expect(variant.model.files.onnxPath.endsWith(file)).toBe(true);
      expect(variant.info()).toMatchObject({ dtype, synthetic: true });
      expect(variant.model.io).toMatchObject({ layers: 2, kvHeads: 2, headDim: 8, kvType: floats, logitsType: floats });
      expect(variant.info().weightBytes).toBeLessThan(fp32.info().weightBytes! * 0.6);
    });

    it('generates with the KV cache (batched, left-padded) the tokens of full re-runs without cache', async () => {
      const batch = prompts.slice(0, 3);
      const results = await variant.generateBatch(batch, { maxNewTokens: 6, ignoreStop: true });
      for (const [i, ids] of batch.entries()) {
        const sequence = [...ids];
        for (const token of results[i]!.tokenIds) {
          expect(token).toBe(pickGreedy(await variant.model.logitsWithoutCache(sequence), 0, variant.model.vocab).tokenId);
          sequence.push(token);
        }
      }
    });

    it('rows joining by chunked prefill and leaving early keep the tokens they get alone (cache gathers in this dtype)', async () => {
      // c (13 tokens) and d (3) prefill together: d's first chunks are all padding.
      const [a, b, c, d] = [prompts[2]!, prompts[9]!, prompts[5]!, prompts[0]!];
      const alone = async (ids: number[], n: number) => (await variant.generate(ids, { maxNewTokens: n, ignoreStop: true })).tokenIds;
      const expected = { a: await alone(a, 3), b: await alone(b, 8), c: await alone(c, 6), d: await alone(d, 4) };
      const got: Record<string, number[]> = {};
      const batch = variant.runningBatch();
      const pending = (id: string, promptIds: number[], maxNewTokens: number) => ({
        request: { id, promptIds, maxNewTokens, ignoreStop: true },
        onDone: (r: { tokenIds: number[] }) => (got[id] = r.tokenIds),
        onError: (e: Error) => {
          throw e;
        },
      });
      await batch.admit([pending('a', a, 3), pending('b', b, 8)]);
      await batch.step();
      batch.startPrefill([pending('c', c, 6), pending('d', d, 4)]);
      while (batch.prefilling > 0) {
        await batch.advancePrefill(4);
        await batch.step();
      }
      while (batch.size > 0) await batch.step();
      expect(got).toEqual(expected);
    });

    it('keeps logits within the expected error of fp32 and agrees wherever the margin exceeds it', async () => {
      let agreed = 0;
      for (const ids of prompts) {
        const a = widen(await fp32.model.logitsWithoutCache(ids));
        const b = widen(await variant.model.logitsWithoutCache(ids));
        let errorSquares = 0;
        let squares = 0;
        let maxError = 0;
        for (let i = 0; i < a.length; i++) {
          const d = b[i]! - a[i]!;
          errorSquares += d * d;
          squares += a[i]! * a[i]!;
          maxError = Math.max(maxError, Math.abs(d));
        }
        expect(Math.sqrt(errorSquares / squares)).toBeLessThan(maxRelativeError);
        const sorted = Array.from(a).sort((x, y) => y - x);
        const same = pickGreedy(a, 0, a.length).tokenId === pickGreedy(b, 0, b.length).tokenId;
        if (same) agreed++;
        if (sorted[0]! - sorted[1]! > 2 * maxError) expect(same).toBe(true);
      }
      expect(agreed).toBeGreaterThanOrEqual(minAgreement);
    });
  });
});
