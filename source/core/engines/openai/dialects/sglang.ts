import type { Dialect } from './types.js';

/**
 * SGLang: OpenAI frames, `reasoning_content` with `--reasoning-parser`, and in-stream
 * errors as `data: {"error":{"object":"error","message":...}}` (or the bare ErrorResponse).
 */
export const sglang: Dialect = {
  name: 'sglang',
  servers: 'SGLang',
  cumulative: false,
  overload: [/overloaded/i, /too many requests/i, /queue (is )?full/i],
};
