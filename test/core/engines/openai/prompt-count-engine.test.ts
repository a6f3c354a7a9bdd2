import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIEngine } from '../../../../source/core/engines/openai/engine.js';
import type { GenerateRequest } from '../../../../source/core/engines/engine.js';
import { modelSchema } from '../../../../source/core/profile/schema.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const request = (id: string): GenerateRequest => ({ id, messages: [{ role: 'user', content: 'Who?' }], promptIds: [1, 2, 3], promptText: 'Who?', maxNewTokens: 8 });

describe('the OpenAI engine and the server\'s prompt count', () => {
  it("warns once per model when the server's prompt_tokens are far from duet's count, and keeps the server's", async () => {
    fake = await startFakeOpenAI(() => ({ tokens: ['Rouen'], usage: { prompt_tokens: 40, completion_tokens: 1 } }));
    const warnings: string[] = [];
    const engine = createOpenAIEngine(modelSchema.parse({ label: 'A', backend: 'openai', url: fake.url, served: 'fake-model' }), { onWarning: (m) => warnings.push(m) });
    const first = await engine.generate(request('q1'));
    await engine.generate(request('q2'));
    expect(first.promptTokens).toBe(40);
    expect(warnings).toEqual([
      'model "A": the server counts 40 prompt tokens where duet counts 3 (+37): the tokenizer or chat template duet uses is not the served model\'s; figures use the server\'s counts',
    ]);
  });

  it('says nothing when they agree within a few tokens', async () => {
    fake = await startFakeOpenAI(() => ({ tokens: ['Rouen'], usage: { prompt_tokens: 5, completion_tokens: 1 } }));
    const warnings: string[] = [];
    const engine = createOpenAIEngine(modelSchema.parse({ label: 'A', backend: 'openai', url: fake.url, served: 'fake-model' }), { onWarning: (m) => warnings.push(m) });
    await engine.generate(request('q1'));
    expect(warnings).toEqual([]);
  });
});
