import { shuffled, type Random } from './random.js';

export interface QuestionOrder<Q> {
  /** Warm-up questions, run first and excluded from the figures. */
  warmup: Q[];
  /** The measured questions, in the order they will be issued. */
  measured: Q[];
}

/**
 * Decides which questions a run asks and in what order: optionally shuffled (seeded),
 * the first `warmup` of them set aside as warm-up, then up to `limit` measured ones.
 * Warm-up questions are distinct from measured ones, so no measured answer benefits
 * from having been asked before (prefix caches on servers).
 */
export function orderQuestions<Q>(questions: readonly Q[], options: { shuffle?: boolean; random?: Random; warmup?: number; limit?: number }): QuestionOrder<Q> {
  const all = options.shuffle && options.random ? shuffled(questions, options.random) : questions.slice();
  const warmupCount = Math.min(options.warmup ?? 0, all.length);
  const rest = all.slice(warmupCount);
  return { warmup: all.slice(0, warmupCount), measured: options.limit === undefined ? rest : rest.slice(0, options.limit) };
}
