import { float16Table } from './float16.js';

/** One greedy choice: the arg-max token and its log-probability under the softmax. */
export interface GreedyPick {
  tokenId: number;
  logProb: number;
}

/**
 * Arg-max and log-softmax of the chosen token in one pass over `vocab` logits starting at
 * `offset` (an online log-sum-exp: the running sum is rescaled only when the max grows,
 * which happens a handful of times per 128k logits). Float16 logits arrive as Uint16 bits.
 * Ties go to the lowest id.
 */
export function pickGreedy(logits: Float32Array | Uint16Array, offset: number, vocab: number): GreedyPick {
  const half = logits instanceof Uint16Array ? float16Table() : undefined;
  let best = 0;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  const end = offset + vocab;
  for (let i = offset; i < end; i++) {
    const x = half ? half[logits[i]!]! : logits[i]!;
    if (x > max) {
      sum = sum * Math.exp(max - x) + 1;
      max = x;
      best = i - offset;
    } else {
      sum += Math.exp(x - max);
    }
  }
  // The chosen token is the max, so log p = max - (max + log sum) = -log sum.
  return { tokenId: best, logProb: -Math.log(sum) };
}
