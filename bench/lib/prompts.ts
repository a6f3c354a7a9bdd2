import { createPromptBuilder } from '../../source/core/dataset/prompt.js';
import { loadSquad } from '../../source/core/dataset/squad.js';
import { loadLlama3Tokenizer } from '../../source/core/dataset/tokenizer.js';
import type { GenerateRequest } from '../../source/core/engines/engine.js';
import { squadDev } from './env.js';

export type PromptRequest = Omit<GenerateRequest, 'id' | 'signal'>;

/**
 * The first `count` SQuAD dev questions as duet run builds them (Llama 3 chat, context cut
 * to fit `inputTokens`): what the engine sees in a real run, the same for every variant.
 */
export async function squadPrompts(count: number, inputTokens = 512, maxNewTokens = 128): Promise<PromptRequest[]> {
  const dataset = await loadSquad(squadDev);
  const tokenizer = await loadLlama3Tokenizer();
  const build = createPromptBuilder({ tokenizer, inputTokens, mode: 'max' });
  return dataset.questions.slice(0, count).map((q) => {
    const prompt = build(q, dataset);
    return { messages: prompt.messages, promptText: prompt.promptText, promptIds: prompt.promptIds, maxNewTokens };
  });
}

/**
 * Seeded answer lengths with the shape DESIGN.md asks of the demo models: geometric with
 * mean `mean`, at least 1, capped at `cap` (a long tail up to the cap).
 */
export function answerLengths(count: number, seed = 1, mean = 8, cap = 128): number[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: tiny, seeded, the same on every machine
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state + 0.5) / 2 ** 32;
  };
  const p = 1 / mean;
  return Array.from({ length: count }, () => Math.min(cap, 1 + Math.floor(Math.log(next()) / Math.log(1 - p))));
}
