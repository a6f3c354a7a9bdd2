import * as ort from 'onnxruntime-node';
import { float16Table } from '../float16.js';
import { samplePromptSplit } from './calibration-set.js';
import type { EndOfTurnBiasInfo } from './hf-files.js';
import { specialTokens, type DemoModelSpec } from './spec.js';
import { END_OF_TURN_AFTER_TOKEN_STD } from './weights.js';

/**
 * Random weights almost never choose <|eot_id|>, so every answer would run to the token cap.
 * The end-of-turn logit gets two calibrated terms instead: a constant bias, and the entry of
 * the per-input-token term (`lm_head.end_of_turn_after_token`, random otherwise) for the token
 * every prompt ends with ("\n\n" after the assistant header), which alone decides first-step
 * stops. Greedy decoding of duet's own sample prompts with stops excluded records at every
 * step the margin by which the best other token beats end-of-turn; the token path does not
 * depend on end-of-turn terms, so the answer length under any setting is exact: the first
 * step whose margin is below its threshold. A single constant cannot both end answers after
 * ~8 tokens and keep first-step stops rare (step-0 margins sit low), so the step-0 threshold
 * is set by a quantile of the step-0 margins and the constant targets the mean.
 */

export const TARGET_MEAN_TOKENS = 8;
/** Share of immediately empty answers aimed at on the calibration prompts. */
export const TARGET_EMPTY_SHARE = 0.1;
export const MAX_NEW_TOKENS = 128;

/** Per prompt and step: the end-of-turn margin and the input token that produced those logits. */
export interface GreedyTrace {
  margins: number[][];
  inputs: number[][];
}

export interface EndOfTurnSetting {
  /** Added to the end-of-turn logit at every step. */
  bias: number;
  /** The token the prompts end with, and what is added on top of `bias` after it. */
  promptEndToken: number;
  promptEndDelta: number;
}

/** Answer length per prompt: first step whose margin is below its threshold, else the cap. */
export function answerLengths(trace: GreedyTrace, setting: EndOfTurnSetting, cap = MAX_NEW_TOKENS): number[] {
  return trace.margins.map((steps, r) => {
    const inputs = trace.inputs[r]!;
    const stop = steps.findIndex((m, s) => m < setting.bias + (inputs[s] === setting.promptEndToken ? setting.promptEndDelta : 0));
    return stop === -1 ? cap : Math.min(stop, cap);
  });
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
/** Midpoints between consecutive distinct values, plus one below and one above: robust to float noise. */
function midpoints(values: number[]): number[] {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error('no margins recorded');
  return [sorted[0]! - 1, ...sorted.slice(1).map((m, i) => (m + sorted[i]!) / 2), sorted.at(-1)! + 1];
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

/**
 * Step-0 threshold: the `emptyShare` quantile of the step-0 margins (midpoint rule). Then the
 * constant bias whose mean answer length is closest to `targetMean` (lengths only change at
 * recorded margins, so midpoints between them are the only candidates needed).
 */
export function chooseSetting(
  trace: GreedyTrace,
  { targetMean = TARGET_MEAN_TOKENS, emptyShare = TARGET_EMPTY_SHARE, cap = MAX_NEW_TOKENS } = {},
): EndOfTurnSetting {
  const promptEndToken = mostCommon(trace.inputs.map((row) => row[0]!));
  const firstMargins = trace.margins.filter((_, r) => trace.inputs[r]![0] === promptEndToken).map((row) => row[0]!);
  const sorted = [...firstMargins].sort((a, b) => a - b);
  const k = Math.round(emptyShare * sorted.length);
  const firstThreshold = k === 0 ? sorted[0]! - 1 : k >= sorted.length ? sorted.at(-1)! + 1 : (sorted[k - 1]! + sorted[k]!) / 2;
  let best: EndOfTurnSetting = { bias: 0, promptEndToken, promptEndDelta: firstThreshold };
  let bestError = Infinity;
  for (const bias of midpoints(trace.margins.flat())) {
    const setting = { bias, promptEndToken, promptEndDelta: firstThreshold - bias };
    const error = Math.abs(mean(answerLengths(trace, setting, cap)) - targetMean);
    if (error < bestError) [best, bestError] = [setting, error];
  }
  return best;
}

/**
 * Greedy, KV-cached, left-padded batch decoding of all prompts for `steps` steps with the
 * stop tokens excluded from the argmax; records the trace.
 */
export async function recordGreedyTrace(
  session: ort.InferenceSession,
  spec: DemoModelSpec,
  prompts: number[][],
  steps: number,
  onProgress?: (fraction: number) => void,
): Promise<GreedyTrace> {
  const special = specialTokens(spec);
  const half = spec.dtype === 'fp16' || spec.dtype === 'q4f16';
  const table = float16Table();
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
      const empty = half ? new ort.Tensor('float16', new Uint16Array(0), [rows, spec.kvHeads, 0, spec.headDim]) : new ort.Tensor('float32', new Float32Array(0), [rows, spec.kvHeads, 0, spec.headDim]);
      feeds[`past_key_values.${l}.${kind}`] = empty;
    }
  }
  const trace: GreedyTrace = { margins: prompts.map(() => []), inputs: prompts.map((p) => [p.at(-1)!]) };
  const positions = prompts.map((p) => p.length);
  for (let step = 0; step < steps; step++) {
    feeds.attention_mask = int64(mask.flat(), mask[0]!.length);
    const out = await session.run(feeds);
    // float16 logits (fp16, q4f16) arrive as raw bits: widened once per step.
    const logits = half ? Float32Array.from(out.logits!.data as Uint16Array, (bits) => table[bits]!) : (out.logits!.data as Float32Array);
    const next: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = logits.subarray(r * spec.vocabSize, (r + 1) * spec.vocabSize);
      const eot = row[special.eot]!;
      // Masking the stop ids in place keeps the 128k-wide argmax loop free of lookups.
      for (const id of special.eos) row[id] = -Infinity;
      let best = 0;
      for (let v = 1; v < row.length; v++) if (row[v]! > row[best]!) best = v;
      trace.margins[r]!.push(row[best]! - eot);
      if (step + 1 < steps) trace.inputs[r]!.push(best);
      next.push(best);
    }
    feeds = { input_ids: int64(next, 1), position_ids: int64(positions.map((p) => p + step), 1) };
    for (let l = 0; l < spec.layers; l++) {
      for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.${kind}`] = out[`present.${l}.${kind}`] as ort.Tensor;
    }
    mask.forEach((m) => m.push(1));
    onProgress?.((step + 1) / steps);
  }
  return trace;
}

/** Length statistics as recorded in config.json and reported by tests. */
export function lengthStats(lengths: number[], cap = MAX_NEW_TOKENS) {
  const sorted = [...lengths].sort((a, b) => a - b);
  return {
    meanTokens: Number(mean(sorted).toFixed(2)),
    medianTokens: sorted[Math.floor(sorted.length / 2)]!,
    emptyShare: Number((sorted.filter((n) => n === 0).length / sorted.length).toFixed(3)),
    maxTokens: sorted.at(-1)!,
    over30: sorted.filter((n) => n > 30).length,
    atCap: sorted.filter((n) => n >= cap).length,
  };
}

/**
 * Runs the model at `modelPath` (built with both end-of-turn terms at their uncalibrated
 * values) on the calibration half of the sample prompts and returns the calibrated setting.
 */
export async function calibrateEndOfTurnBias(
  modelPath: string,
  spec: DemoModelSpec,
  onProgress: (fraction: number) => void,
): Promise<{ setting: EndOfTurnSetting; info: EndOfTurnBiasInfo }> {
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all' });
  try {
    const split = await samplePromptSplit(spec.vocabSize);
    const trace = await recordGreedyTrace(session, spec, split.calibration, MAX_NEW_TOKENS, onProgress);
    const setting = chooseSetting(trace);
    return {
      setting,
      info: {
        tokenId: specialTokens(spec).eot,
        value: setting.bias,
        afterToken: { std: END_OF_TURN_AFTER_TOKEN_STD, promptEndTokenId: setting.promptEndToken, promptEndDelta: setting.promptEndDelta },
        calibration: {
          source: 'examples/squad-sample.json, odd-numbered articles, max mode, 512 input tokens',
          datasetSha256: split.datasetSha256,
          prompts: split.calibration.length,
          targetMeanTokens: TARGET_MEAN_TOKENS,
          targetEmptyShare: TARGET_EMPTY_SHARE,
          maxNewTokens: MAX_NEW_TOKENS,
          ...lengthStats(answerLengths(trace, setting)),
          note:
            'Synthetic weights: end-of-turn logit += value + end_of_turn_after_token[input token]. The step-0 threshold is a quantile of the step-0 margins ' +
            '(limits empty answers); value targets the mean length. The per-token term adds prompt-independent variety so held-out prompts behave alike.',
        },
      },
    };
  } finally {
    await session.release();
  }
}
