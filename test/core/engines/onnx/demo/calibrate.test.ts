import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerLengths, chooseBias, recordEndOfTurnMargins, tokenizePrompts } from '../../../../../source/core/engines/onnx/demo/calibrate.js';
import { llama3ChatPrompt } from '../../../../../source/core/engines/onnx/demo/calibration-prompts.js';
import { tinySpec } from '../../../../../source/core/engines/onnx/demo/spec.js';
import { writeDemoModel } from '../../../../../source/core/engines/onnx/demo/write-model.js';

/** Margins that are large everywhere except one low step per row. */
function marginsWithDips(dipSteps: number[], steps = 40): number[][] {
  return dipSteps.map((dip) => Array.from({ length: steps }, (_, s) => (s === dip ? 2 : 10)));
}

describe('end-of-turn bias selection', () => {
  it('stops each answer at the first step whose margin the bias exceeds, or at the cap', () => {
    const margins = [
      [5, 4, 3, 2],
      [1, 9, 9, 9],
      [9, 9, 9, 9],
    ];
    expect(answerLengths(margins, 3.5, 128)).toEqual([2, 0, 128]);
    expect(answerLengths(margins, 0, 128)).toEqual([128, 128, 128]);
  });

  it('picks a bias whose mean answer length is the target', () => {
    const margins = marginsWithDips([2, 4, 6, 20]);
    const bias = chooseBias(margins, 8, 128);
    expect(answerLengths(margins, bias, 128)).toEqual([2, 4, 6, 20]);
    expect(answerLengths(marginsWithDips([2, 4, 6, 20]), chooseBias(margins, 0, 128), 128)).toEqual([0, 0, 0, 0]);
  });
});

/** Questions the calibration never saw: contexts that do not contain the answer. */
const heldOut = [
  ['The bridge was opened in 1932 and carries four lanes of traffic over the bay.', 'Who designed the bridge?'],
  ['Emperor penguins breed in the Antarctic winter and the males incubate the eggs.', 'How long do the eggs take to hatch?'],
  ['The library lends books, music and tools, and it is open every day except Monday.', 'On which day is the library closed?'],
  ['Copper conducts heat and electricity well and is used in wiring and cookware.', 'What is copper used for?'],
  ['The festival began in 1987 as a single evening of folk music in a barn.', 'When did the festival begin?'],
  ['Mount Arden is 2,310 metres high and was first climbed in 1865 by a party of six.', 'How high is Mount Arden?'],
  ['The treaty ended the war between the two kingdoms and fixed the border on the river.', 'Where was the border fixed?'],
  ['Her first novel sold poorly, but the second won a national prize in 1954.', 'What did the second novel win?'],
];

describe('calibrated demo model (mid-size spec)', () => {
  const spec = tinySpec({ name: 'demo-mid', vocabSize: 4096, hiddenSize: 64, intermediateSize: 128, headDim: 16, seed: 11 });
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duet-calibrate-'));
    await writeDemoModel(dir, spec, { calibrate: true });
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records the calibrated bias and its length statistics in config.json', async () => {
    const { duet } = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(duet.endOfTurnBias.tokenId).toBe(spec.vocabSize - 1);
    expect(duet.endOfTurnBias.value).toBeGreaterThan(0);
    expect(duet.endOfTurnBias.calibration.meanTokens).toBeGreaterThan(5);
    expect(duet.endOfTurnBias.calibration.meanTokens).toBeLessThan(11);
  });

  it('ends greedy answers to unseen prompts after a varied, mostly short number of tokens', async () => {
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'), { intraOpNumThreads: 1 });
    try {
      const system = 'Answer the question with a short span copied from the context.';
      const prompts = await tokenizePrompts(
        heldOut.map(([context, question]) => llama3ChatPrompt(system, `Context: ${context}\n\nQuestion: ${question}`)),
        spec.vocabSize,
      );
      // The bias is inside the model now: end-of-turn wins exactly where the margin drops below 0.
      const lengths = answerLengths(await recordEndOfTurnMargins(session, spec, prompts, 64), 0, 64);
      const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
      expect(mean).toBeGreaterThan(1);
      expect(mean).toBeLessThan(40);
      expect(new Set(lengths).size).toBeGreaterThanOrEqual(3);
      expect(lengths.filter((n) => n <= 12).length).toBeGreaterThanOrEqual(lengths.length / 2);
    } finally {
      await session.release();
    }
  }, 60_000);
});
