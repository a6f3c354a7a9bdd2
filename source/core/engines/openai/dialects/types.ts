/** The server families whose streams duet reads, and what sets each apart. */
export type DialectName = 'auto' | 'openai' | 'vllm' | 'mindie' | 'llama.cpp' | 'tgi' | 'sglang' | 'ollama';

export interface Dialect {
  name: DialectName;
  /** Who speaks it (for messages and docs). */
  servers: string;
  /**
   * Whether each delta repeats the whole text so far (MindIE with fullTextEnabled) instead
   * of adding to it: true, false, or 'auto' (detected on the stream itself).
   */
  cumulative: boolean | 'auto';
  /** The server's own words for "refused or dropped for load" (counted as overload, not a fault). */
  overload: readonly RegExp[];
}
