import type { Dialect } from './types.js';

/**
 * OpenAI's own API and any server that copies it exactly: `data:` frames, `[DONE]`,
 * in-stream `{error:{message,type,code}}`, usage in a last chunk with `choices: []`.
 */
export const openai: Dialect = {
  name: 'openai',
  servers: 'OpenAI and exact copies of its API',
  cumulative: false,
  overload: [/rate limit/i, /too many requests/i, /overloaded/i, /server is busy/i],
};
