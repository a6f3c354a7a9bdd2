import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIEngine } from '../../../../source/core/engines/openai/engine.js';
import type { GenerateRequest } from '../../../../source/core/engines/engine.js';
import { RequestFailure } from '../../../../source/core/engines/openai/result.js';
import { modelSchema } from '../../../../source/core/profile/schema.js';
import { startFakeOpenAI, type FakeOpenAI, type Scenario } from './fake-openai.js';

// Through the whole HTTP path (measuring plane, decoder, result): what a record learns of overload.
let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const request: GenerateRequest = { id: 'q1', messages: [{ role: 'user', content: 'Who?' }], promptIds: [1, 2, 3], promptText: 'Who?', maxNewTokens: 8 };

async function failure(scenario: Scenario): Promise<RequestFailure> {
  fake = await startFakeOpenAI(() => scenario);
  const engine = createOpenAIEngine(modelSchema.parse({ label: 'A', backend: 'openai', url: fake.url, served: 'fake-model', dialect: 'mindie' }));
  const error = await engine.generate(request).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RequestFailure);
  return error as RequestFailure;
}

describe('overload on the HTTP path', () => {
  it("counts MindIE's unframed token timeout written into the stream as overload, in its words", async () => {
    const raw = readFileSync(new URL('../../../fixtures/streams/mindie-token-timeout.txt', import.meta.url), 'utf8');
    const error = await failure({ raw, done: false });
    expect(error.overload).toBe(true);
    expect(error.message).toMatch(/server error in stream: Engine callback timeout: server tokenTimeout$/);
  });

  it('counts a JSON answer to a stream request that names a token timeout as overload', async () => {
    const error = await failure({ status: 200, contentType: 'application/json', body: '{"error":"Engine callback timeout: server tokenTimeout"}' });
    expect(error.overload).toBe(true);
    expect(error.message).toMatch(/expected an SSE stream \(text\/event-stream\), got application\/json: Engine callback timeout: server tokenTimeout$/);
  });

  it('counts 503 as overload and a 500 engine failure as a fault', async () => {
    expect((await failure({ status: 503, contentType: 'text/plain', body: 'Service Unavailable' })).overload).toBe(true);
    await fake?.close();
    const fault = await failure({ status: 500, contentType: 'text/plain', body: 'Failed to get engine response' });
    expect(fault.overload).toBe(false);
    expect(fault.message).toMatch(/HTTP 500: Failed to get engine response$/);
  });
});
