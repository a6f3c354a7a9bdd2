import { shuffled, type Random } from './random.js';

export interface QuestionOrder<Q> {
  /** Warm-up questions, run first and excluded from the figures. */
  warmup: Q[];
  /** The measured questions, in the order they will be issued. */
  measured: Q[];
}

/**
 * Decides which questions a run asks and in what order: optionally shuffled (seeded),
 * the first `warmup` of them set aside as warm-up, then the rest `repeat` times over
 * (same order each pass), cut at `limit` measured ones.
 * Warm-up questions are distinct from measured ones, so no measured answer benefits
 * from having been asked before (prefix caches on servers).
 */
export function orderQuestions<Q>(questions: readonly Q[], options: { shuffle?: boolean; random?: Random; warmup?: number; limit?: number; repeat?: number }): QuestionOrder<Q> {
  const all = options.shuffle && options.random ? shuffled(questions, options.random) : questions.slice();
  const warmupCount = Math.min(options.warmup ?? 0, all.length);
  const once = all.slice(warmupCount);
  const passes = Math.max(1, options.repeat ?? 1);
  const wanted = Math.min(options.limit ?? Infinity, once.length * passes);
  const measured = Array.from({ length: wanted }, (_, i) => once[i % once.length]!);
  return { warmup: all.slice(0, warmupCount), measured };
}
