import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerLengths, chooseSetting, lengthStats, recordGreedyTrace, type GreedyTrace } from '../../../../../source/core/engines/onnx/demo/calibrate.js';
import { samplePromptSplit } from '../../../../../source/core/engines/onnx/demo/calibration-set.js';
import { tinySpec } from '../../../../../source/core/engines/onnx/demo/spec.js';
import { writeDemoModel } from '../../../../../source/core/engines/onnx/demo/write-model.js';

const END = 9;
/** Margins that are large everywhere except one low step per row; every prompt ends with token END. */
function traceWithDips(dipSteps: number[], steps = 40): GreedyTrace {
  return {
    margins: dipSteps.map((dip) => Array.from({ length: steps }, (_, s) => (s === dip ? 2 : s === 0 ? 5 : 10))),
    inputs: dipSteps.map(() => Array.from({ length: steps }, (_, s) => (s === 0 ? END : 100 + s))),
  };
}

describe('end-of-turn setting selection', () => {
  it('stops each answer at the first step below its threshold, or at the cap', () => {
    const trace = { margins: [[5, 4, 3, 2], [1, 9, 9, 9], [9, 9, 9, 9]], inputs: [[END, 1, END, 2], [END, 1, 1, 1], [END, 1, 1, 1]] };
    expect(answerLengths(trace, { bias: 3.5, promptEndToken: END, promptEndDelta: 0 }, 128)).toEqual([2, 0, 128]);
    // After token END the threshold is bias + delta: 0.5 here, so row 1 no longer stops at once.
    expect(answerLengths(trace, { bias: 3.5, promptEndToken: END, promptEndDelta: -3 }, 128)).toEqual([3, 128, 128]);
  });

  it('targets the mean with the constant and first-step stops with the prompt-end delta', () => {
    const trace = traceWithDips([2, 4, 6, 20]);
    const setting = chooseSetting(trace, { targetMean: 8, emptyShare: 0, cap: 128 });
    expect(answerLengths(trace, setting, 128)).toEqual([2, 4, 6, 20]);
    expect(setting.bias + setting.promptEndDelta).toBeLessThan(5);
    const eager = chooseSetting(trace, { targetMean: 0, emptyShare: 1, cap: 128 });
    expect(answerLengths(trace, eager, 128)).toEqual([0, 0, 0, 0]);
  });
});

describe('calibrated demo model on the sample prompts duet sends (mid-size spec)', () => {
  // Real tokenizer ids are folded modulo 4,096 (calibration-set.ts): the prompts keep their shape and length.
  const spec = tinySpec({ name: 'demo-mid', vocabSize: 4096, hiddenSize: 64, intermediateSize: 128, headDim: 16, seed: 11 });
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duet-calibrate-'));
    await writeDemoModel(dir, spec, { calibrate: true });
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records the calibrated terms and their length statistics in config.json', async () => {
    const { duet } = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    const bias = duet.endOfTurnBias;
    expect(bias.tokenId).toBe(spec.vocabSize - 1);
    expect(bias.afterToken.promptEndTokenId).toBe(271); // "\n\n" after the assistant header
    expect(bias.calibration.prompts).toBeGreaterThanOrEqual(24);
    expect(bias.calibration.meanTokens).toBeGreaterThan(5);
    expect(bias.calibration.meanTokens).toBeLessThan(11);
  });

  it('gives held-out sample prompts short, varied answers with a tail and few empty ones', async () => {
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'), { intraOpNumThreads: 1 });
    try {
      const { heldOut } = await samplePromptSplit(spec.vocabSize);
      // The terms are inside the model now: end-of-turn wins exactly where the margin drops below 0.
      const lengths = answerLengths(await recordGreedyTrace(session, spec, heldOut, 128), { bias: 0, promptEndToken: -1, promptEndDelta: 0 });
      const stats = lengthStats(lengths);
      // This 2-layer toy is burstier than the real demo models (measured: mean 19, median 2, no
      // empty answer, max 98); the real ones are checked in the report of `make-demo-models`.
      expect(stats.meanTokens).toBeGreaterThan(3);
      expect(stats.meanTokens).toBeLessThan(30);
      expect(stats.medianTokens).toBeGreaterThanOrEqual(1);
      expect(stats.emptyShare).toBeLessThanOrEqual(0.3);
      expect(stats.maxTokens).toBeGreaterThan(20);
      expect(stats.atCap).toBeLessThanOrEqual(3);
      expect(new Set(lengths).size).toBeGreaterThanOrEqual(8);
    } finally {
      await session.release();
    }
  }, 120_000);
});
