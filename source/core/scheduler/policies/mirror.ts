import type { Policy } from './policy.js';

/** Every question to both models: the side-by-side comparison of the same question. */
export const mirror: Policy = { name: 'mirror', pick: () => 'both' };
