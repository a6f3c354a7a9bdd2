import type { Policy } from './policy.js';

/**
 * Sends the share `weight` of questions to the small model A, deterministically:
 * each pick goes to A when that keeps A's count closest to weight x questions
 * (a + 0.5 <= weight x (n + 1)), which spreads A's picks evenly (weight 0.5 alternates,
 * 0.25 sends every fourth to A) with no randomness. Counts restart when the weight changes.
 */
export const weighted: Policy = {
  name: 'weighted',
  pick: (_query, state) => {
    const n = state.sent.A + state.sent.B;
    return state.sent.A + 0.5 <= state.weight * (n + 1) ? 'A' : 'B';
  },
};
