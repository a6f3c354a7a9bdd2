import { float16Table } from './float16.js';

/** One greedy choice: the arg-max token and its log-probability under the softmax. */
export interface GreedyPick {
  tokenId: number;
  logProb: number;
}

/** 2^i for i in [-126, 0]: the integer part of exp's exponent comes from a table. */
const POW2 = Float64Array.from({ length: 127 }, (_, k) => 2 ** (k - 126));
const LOG2E = Math.LOG2E;
const SQRT1_2 = Math.SQRT1_2;
// Taylor coefficients of 2^g = e^(g ln 2) for |g| <= 0.5; degree 6 keeps the relative error below 2e-7.
const C1 = Math.LN2;
const C2 = Math.LN2 ** 2 / 2;
const C3 = Math.LN2 ** 3 / 6;
const C4 = Math.LN2 ** 4 / 24;
const C5 = Math.LN2 ** 5 / 120;
const C6 = Math.LN2 ** 6 / 720;

/**
 * Sum of e^(x - max) over the logits. Math.exp costs ~20 ns, and a step evaluates 128,256
 * of them per row (several ms on a busy core, as much as a whole decode step of a small
 * model), so this uses 2^y = 2^trunc(y) * 2^(y - trunc(y)) with a table and a short polynomial.
 */
function sumExpBelow(values: Float32Array, start: number, end: number, max: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    const y = (values[i]! - max) * LOG2E; // <= 0
    if (y < -126) continue; // below 2^-126: nothing a float64 sum of 128k terms would notice
    const whole = y | 0; // truncation: ceil for y <= 0, so y - whole is in (-1, 0]
    const g = y - whole + 0.5;
    const frac = SQRT1_2 * (1 + g * (C1 + g * (C2 + g * (C3 + g * (C4 + g * (C5 + g * C6))))));
    sum += POW2[whole + 126]! * frac;
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
