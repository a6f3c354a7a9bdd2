import type { Policy } from './policy.js';

/** Baseline: every question to the small model A. */
export const smallOnly: Policy = { name: 'small-only', pick: () => 'A' };
