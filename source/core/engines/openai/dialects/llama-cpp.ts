import type { Dialect } from './types.js';

/**
 * llama.cpp's llama-server: OpenAI frames with its own `timings`, usage riding on the last
 * choice chunk, `reasoning_content` with `--reasoning-format`, and (older builds) a
 * mid-stream error as an SSE `error:` field holding `{code,message,type}`, then `data: [DONE]`.
 */
export const llamaCpp: Dialect = {
  name: 'llama.cpp',
  servers: "llama.cpp's llama-server (CPU, CUDA, CANN builds)",
  cumulative: false,
  overload: [/no slot available/i, /all slots are busy/i, /too many requests/i, /loading model/i],
};
