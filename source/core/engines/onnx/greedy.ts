import { float16Table } from './float16.js';

/** One greedy choice: the arg-max token and its log-probability under the softmax. */
export interface GreedyPick {
  tokenId: number;
  logProb: number;
}

/**
 * e^-d for d in [0, 24] from two tables: d is rounded to 1/65536 (relative error of a term
 * <= 7.7e-6) and split into a coarse part (d*256) and a fine part. Math.exp costs ~20 ns
 * and a step needs 128,256 of them per row (as long as a small model's whole decode step
 * at batch 8); two lookups and a multiply cost a fraction of that.
 */
const FINE_STEPS = 65536;
const CUTOFF = 24;
const COARSE = Float64Array.from({ length: CUTOFF * 256 + 1 }, (_, i) => Math.exp(-i / 256));
const FINE = Float64Array.from({ length: 256 }, (_, i) => Math.exp(-i / FINE_STEPS));

/**
 * Sum of e^(x - max). Terms below e^-24 are skipped: even 128,256 of them move log p by
 * less than 5e-6, and real models put most of the vocabulary that far below the max.
 */
function sumExpBelow(values: Float32Array, start: number, end: number, max: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    const d = max - values[i]!;
    if (d > CUTOFF) continue;
    const k = (d * FINE_STEPS + 0.5) | 0;
    sum += COARSE[k >> 8]! * FINE[k & 255]!;
  }
  return sum;
}

let scratch = new Float32Array(0);

/**
 * Arg-max and log-softmax of the chosen token over `vocab` logits starting at `offset`:
 * one cheap comparison pass for the max, one pass for the sum of exponentials.
 * Float16 logits arrive as Uint16 bits and are widened once. Ties go to the lowest id.
 */
export function pickGreedy(logits: Float32Array | Uint16Array, offset: number, vocab: number): GreedyPick {
  let values: Float32Array;
  let start = offset;
  if (logits instanceof Uint16Array) {
    const table = float16Table();
    if (scratch.length < vocab) scratch = new Float32Array(vocab);
    for (let i = 0; i < vocab; i++) scratch[i] = table[logits[offset + i]!]!;
    values = scratch;
    start = 0;
  } else {
    values = logits;
  }
  const end = start + vocab;
  let best = start;
  let max = values[start]!;
  for (let i = start + 1; i < end; i++) {
    if (values[i]! > max) {
      max = values[i]!;
      best = i;
    }
  }
  if (!Number.isFinite(max)) return { tokenId: best - start, logProb: Number.NaN };
  // The chosen token is the max, so log p = max - (max + log sum) = -log sum.
  return { tokenId: best - start, logProb: -Math.log(sumExpBelow(values, start, end, max)) };
}
