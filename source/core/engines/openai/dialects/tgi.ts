import type { Dialect } from './types.js';

/**
 * Hugging Face text-generation-inference (Messages API): OpenAI frames, but errors are
 * `{"error":"...","error_type":"..."}` with the message as a plain string (often long:
 * CUDA out-of-memory text), and overload is 429 "Model is overloaded" (`error_type: overloaded`).
 */
export const tgi: Dialect = {
  name: 'tgi',
  servers: 'Hugging Face text-generation-inference',
  cumulative: false,
  overload: [/model is overloaded/i, /"?error_type"?\s*:\s*"?overloaded/i, /too many requests/i],
};
