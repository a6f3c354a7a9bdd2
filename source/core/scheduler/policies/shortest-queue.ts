import type { ModelView, Policy } from './policy.js';

/**
 * Least expected wait: outstanding questions x recent mean service time, per model.
 * A model with no history yet borrows the other's mean (or counts 1 ms per question when
 * neither has one), so the first decisions reduce to "shorter queue". Ties go to A.
 */
export const shortestQueue: Policy = {
  name: 'shortest-queue',
  pick: (_query, state) => {
    const { A, B } = state.models;
    const fallback = A.meanServiceMs ?? B.meanServiceMs ?? 1;
    return expectedWaitMs(A, fallback) <= expectedWaitMs(B, fallback) ? 'A' : 'B';
  },
};

export function expectedWaitMs(model: ModelView, fallbackServiceMs: number): number {
  return model.outstanding * (model.meanServiceMs ?? fallbackServiceMs);
}
