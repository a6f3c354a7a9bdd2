import type { Policy } from './policy.js';

/** Alternates A, B, A, B... starting with A each time the policy becomes active. */
export const roundRobin: Policy = {
  name: 'round-robin',
  pick: (_query, state) => ((state.sent.A + state.sent.B) % 2 === 0 ? 'A' : 'B'),
};
