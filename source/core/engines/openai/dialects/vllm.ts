import type { Dialect } from './types.js';

/**
 * vLLM and vllm-ascend: OpenAI frames plus `delta.reasoning_content` (newer: `reasoning`)
 * with a reasoning parser, per-chunk usage with `stream_options.continuous_usage_stats`,
 * `finish_reason: "abort"` for requests the engine dropped, and in-stream errors as
 * `data: {"error":{...}}` followed by `data: [DONE]`.
 */
export const vllm: Dialect = {
  name: 'vllm',
  servers: 'vLLM, vllm-ascend',
  cumulative: false,
  overload: [/too many requests/i, /overloaded/i, /server is busy/i],
};
