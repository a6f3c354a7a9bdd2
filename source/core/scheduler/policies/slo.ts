import type { ModelView, Policy } from './policy.js';

/**
 * Large model B unless its predicted latency breaks the end-to-end SLO, then A.
 * B's prediction: (requests waiting in B's engine + 1) x B's recent mean service time;
 * requests already computing are in a batch and do not delay a newcomer's turn.
 * No SLO, or no history for B yet: B. The prediction falls as B's queue drains, so
 * traffic returns to B without needing fresh measurements from it.
 */
export const slo: Policy = {
  name: 'slo',
  pick: (_query, state) => {
    const limit = state.slo.e2eMs;
    if (limit === undefined) return 'B';
    const predicted = predictedLatencyMs(state.models.B);
    return predicted !== undefined && predicted > limit ? 'A' : 'B';
  },
};

export function predictedLatencyMs(model: ModelView): number | undefined {
  return model.meanServiceMs === undefined ? undefined : (model.queued + 1) * model.meanServiceMs;
}
