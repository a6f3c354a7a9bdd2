import type { Policy } from './policy.js';

/** Baseline: every question to the large model B. */
export const largeOnly: Policy = { name: 'large-only', pick: () => 'B' };
