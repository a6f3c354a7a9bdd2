import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { calibrationPrompts } from './calibration-prompts.js';
import { llama3TokenizerPaths, type EndOfTurnBiasInfo } from './hf-files.js';
import { specialTokens, type DemoModelSpec } from './spec.js';

/**
 * Random weights almost never choose <|eot_id|>, so every answer would run to the token cap.
 * The demo models get a constant bias on the end-of-turn logit instead, chosen here:
 * run greedy decoding on realistic chat prompts with the bias at 0, record at every step
 * the margin by which the best other token beats end-of-turn, and pick the bias that makes
 * the mean answer length hit the target. This is exact rather than approximate: adding a
 * bias b to one logit changes nothing until the step where it wins, so the answer length
 * under b is the first step whose margin is below b.
 */

export const TARGET_MEAN_TOKENS = 8;
export const MAX_NEW_TOKENS = 128;

/** Answer length per prompt under bias `bias`: first step with margin < bias, else the cap. */
export function answerLengths(margins: number[][], bias: number, cap = MAX_NEW_TOKENS): number[] {
  return margins.map((steps) => {
    const stop = steps.findIndex((m) => m < bias);
    return stop === -1 ? cap : Math.min(stop, cap);
  });
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * The bias whose mean answer length is closest to `target`. The mean only changes at the
 * recorded margins, so candidates are midpoints between consecutive margins: a bias there
 * is robust to float noise between machines and thread counts.
 */
export function chooseBias(margins: number[][], target = TARGET_MEAN_TOKENS, cap = MAX_NEW_TOKENS): number {
  const sorted = [...new Set(margins.flat())].sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error('no margins recorded');
  const candidates = [sorted[0]! - 1, ...sorted.slice(1).map((m, i) => (m + sorted[i]!) / 2), sorted.at(-1)! + 1];
  let best = candidates[0]!;
  let bestError = Infinity;
  for (const bias of candidates) {
    const error = Math.abs(mean(answerLengths(margins, bias, cap)) - target);
    if (error < bestError) {
      best = bias;
      bestError = error;
    }
  }
  return best;
}

/** Tokenises rendered prompts with the real Llama 3 tokenizer (ids folded into small test vocabularies). */
export async function tokenizePrompts(prompts: string[], vocabSize: number): Promise<number[][]> {
  const paths = llama3TokenizerPaths();
  const tokenizer = new Tokenizer(JSON.parse(await readFile(paths.tokenizer, 'utf8')), JSON.parse(await readFile(paths.config, 'utf8')));
  // The template already starts with <|begin_of_text|>: no second BOS from the post-processor.
  return prompts.map((prompt) => tokenizer.encode(prompt, { add_special_tokens: false }).ids.map((id: number) => id % vocabSize));
}

/**
 * Greedy, KV-cached, left-padded batch decoding of all prompts for `steps` steps with the
 * stop tokens excluded from the argmax. Returns per prompt the margin at every step.
 */
export async function recordEndOfTurnMargins(
  session: ort.InferenceSession,
  spec: DemoModelSpec,
  prompts: number[][],
  steps: number,
  onProgress?: (fraction: number) => void,
): Promise<number[][]> {
  const special = specialTokens(spec);
  const stops = new Set(special.eos);
  const rows = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  const int64 = (values: number[], cols: number): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [rows, cols]);

  // Left padding: pad slots are masked out and get position 1, as transformers does it.
  const mask = prompts.map((p) => [...Array<number>(width - p.length).fill(0), ...p.map(() => 1)]);
  let feeds: Record<string, ort.Tensor> = {
    input_ids: int64(prompts.flatMap((p) => [...Array<number>(width - p.length).fill(special.bos), ...p]), width),
    position_ids: int64(prompts.flatMap((p) => [...Array<number>(width - p.length).fill(1), ...p.map((_, i) => i)]), width),
  };
  for (let l = 0; l < spec.layers; l++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${l}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [rows, spec.kvHeads, 0, spec.headDim]);
    }
  }
  const margins: number[][] = prompts.map(() => []);
  const positions = prompts.map((p) => p.length);
  for (let step = 0; step < steps; step++) {
    feeds.attention_mask = int64(mask.flat(), mask[0]!.length);
    const out = await session.run(feeds);
    const logits = out.logits!.data as Float32Array;
    const next: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = logits.subarray(r * spec.vocabSize, (r + 1) * spec.vocabSize);
      let best = 0;
      let bestValue = -Infinity;
      for (let v = 0; v < row.length; v++) {
        if (row[v]! > bestValue && !stops.has(v)) {
          bestValue = row[v]!;
          best = v;
        }
      }
      margins[r]!.push(bestValue - row[special.eot]!);
      next.push(best);
    }
    feeds = { input_ids: int64(next, 1), position_ids: int64(positions.map((p) => p + step), 1) };
    for (let l = 0; l < spec.layers; l++) {
      for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.${kind}`] = out[`present.${l}.${kind}`] as ort.Tensor;
    }
    mask.forEach((m) => m.push(1));
    onProgress?.((step + 1) / steps);
  }
  return margins;
}

/** Runs the model at `modelPath` (built with bias 0) and returns the calibrated end-of-turn bias. */
export async function calibrateEndOfTurnBias(modelPath: string, spec: DemoModelSpec, onProgress: (fraction: number) => void): Promise<EndOfTurnBiasInfo> {
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all' });
  try {
    const prompts = await tokenizePrompts(calibrationPrompts(), spec.vocabSize);
    const margins = await recordEndOfTurnMargins(session, spec, prompts, MAX_NEW_TOKENS, onProgress);
    const value = chooseBias(margins);
    const lengths = answerLengths(margins, value).sort((a, b) => a - b);
    return {
      tokenId: specialTokens(spec).eot,
      value,
      calibration: {
        prompts: prompts.length,
        targetMeanTokens: TARGET_MEAN_TOKENS,
        maxNewTokens: MAX_NEW_TOKENS,
        meanTokens: mean(lengths),
        medianTokens: lengths[Math.floor(lengths.length / 2)]!,
        maxTokens: lengths.at(-1)!,
        atCap: lengths.filter((n) => n >= MAX_NEW_TOKENS).length,
      },
    };
  } finally {
    await session.release();
  }
}
