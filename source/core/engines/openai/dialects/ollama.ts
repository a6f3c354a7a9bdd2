import type { Dialect } from './types.js';

/**
 * Ollama's OpenAI-compatible endpoints: OpenAI frames with `delta.reasoning` for thinking
 * models; errors are `{"error":{"message":...}}` (its OpenAI layer) or `{"error":"..."}` (its
 * native layer), and a full queue answers 503 "server busy, please try again.  maximum
 * pending requests exceeded".
 */
export const ollama: Dialect = {
  name: 'ollama',
  servers: 'Ollama',
  cumulative: false,
  overload: [/server busy/i, /maximum pending requests/i, /too many requests/i],
};
