import type { Policy } from './policy.js';

/**
 * Small model first; escalate the question to the large model when the small one
 * abstains (empty prediction), fails, or is unsure (mean log-prob below the threshold;
 * an unknown log-prob does not escalate). The large model's answer is final.
 * Both records are kept: A's is marked `escalated` and B's `escalation`, so per-model
 * figures count each model's own answers while the question-level (combined) EM counts
 * each question once, from its final answer (every record not marked `escalated`).
 */
export const cascade: Policy = {
  name: 'cascade',
  pick: () => 'A',
  onResult: (record, state) => {
    if (record.model !== 'A') return 'accept';
    if (record.error !== undefined || (record.prediction ?? '') === '') return 'escalate';
    if (record.meanLogProb !== undefined && record.meanLogProb < state.cascadeThreshold) return 'escalate';
    return 'accept';
  },
};
