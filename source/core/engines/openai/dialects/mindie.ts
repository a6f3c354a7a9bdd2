import type { Dialect } from './types.js';

/**
 * Huawei MindIE Service (OpenAI-compatible interface): OpenAI frames and
 * `reasoning_content`, but its engine errors and timeouts are written into the body as
 * plain text (or a bare `{"error":...}`) with no `data:` framing before it closes, and
 * with `fullTextEnabled` every delta repeats the text so far.
 */
export const mindie: Dialect = {
  name: 'mindie',
  servers: 'MindIE Service',
  cumulative: 'auto',
  overload: [/token ?timeout/i, /callback timeout/i, /e2e ?timeout/i, /queue (is )?full/i, /too many requests/i, /overload/i],
};
