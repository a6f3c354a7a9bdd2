import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startServeServer, type ServeServer } from '../../../source/core/serve/server.js';
import { createOpenAIEngine } from '../../../source/core/engines/openai/engine.js';
import { modelSchema } from '../../../source/core/profile/schema.js';
import { charEncode, fakeEngine } from './fake-engine.js';

let server: ServeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(options: Parameters<typeof fakeEngine>[0] = {}, maxTokens = 128) {
  const fake = fakeEngine(options);
  server = await startServeServer(fake.engine, { modelId: 'demo-small', encode: charEncode, maxTokens, maxBodyBytes: 4096 });
  const client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  return { fake, client, url: server.url };
}

async function post(url: string, path: string, body: string) {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: (await response.json()) as { error: { message: string; type: string; code: string | null; param: string | null } } };
}

describe('duet serve HTTP server (openai client conformance over a fake engine)', () => {
  it('answers a non-streaming chat completion with the Llama 3 template applied', async () => {
    const { fake, client } = await serve();
    const answer = await client.chat.completions.create({ model: 'demo-small', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi?' }], max_tokens: 16 });
    expect(answer.object).toBe('chat.completion');
    expect(answer.model).toBe('demo-small');
    expect(answer.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello there' });
    expect(answer.choices[0]!.finish_reason).toBe('stop');
    const expected = '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
    expect(fake.requests[0]!.promptText).toBe(expected);
    expect(fake.requests[0]!.promptIds).toEqual(charEncode(expected));
    expect(answer.usage).toEqual({ prompt_tokens: expected.length, completion_tokens: 4, total_tokens: expected.length + 4 });
  });

  it('streams a chat completion: role chunk, content deltas, finish chunk, usage chunk, [DONE]', async () => {
    const { client } = await serve();
    const stream = await client.chat.completions.create({ model: 'demo-small', messages: [{ role: 'user', content: 'Hi?' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello there');
    // Empty token texts (partial UTF-8) are not sent as deltas.
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(3);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: 4 });
  });

  it('plain completions, streaming and not, pass the prompt through untouched and cap max_tokens', async () => {
    const { fake, client } = await serve({ tokens: ['a', 'b', 'c', 'd', 'e'] }, 3);
    const answer = await client.completions.create({ model: 'demo-small', prompt: '<|begin_of_text|>Q', max_tokens: 1000 });
    expect(answer.object).toBe('text_completion');
    expect(answer.choices[0]!.text).toBe('abc');
    expect(answer.choices[0]!.finish_reason).toBe('length');
    expect(fake.requests[0]!.promptText).toBe('<|begin_of_text|>Q');
    expect(fake.requests[0]!.maxNewTokens).toBe(3);
    const stream = await client.completions.create({ model: 'demo-small', prompt: 'Q', max_tokens: 2, stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const c of stream) {
      text += c.choices[0]?.text ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('ab');
    expect(finish).toBe('length');
  });

  it('lists the model with owned_by duet and the synthetic flag; /health answers', async () => {
    const { client, url } = await serve({ synthetic: true });
    const models = [];
    for await (const m of client.models.list()) models.push(m);
    expect(models).toEqual([expect.objectContaining({ id: 'demo-small', object: 'model', owned_by: 'duet', duet: expect.objectContaining({ synthetic: true }) })]);
    expect((await client.models.retrieve('demo-small')).id).toBe('demo-small');
    expect(await (await fetch(url.replace('/v1', '/health'))).json()).toEqual({ status: 'ok' });
  });

  it('sends concurrent requests to the engine at the same time (so that it can batch them)', async () => {
    const { fake, client } = await serve({ gapMs: 20 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => client.chat.completions.create({ model: 'demo-small', messages: [{ role: 'user', content: 'x' }] })));
    expect(answers.map((a) => a.choices[0]!.message.content)).toEqual(Array(6).fill('Hello there'));
    expect(fake.maxRunning()).toBe(6);
  });

  it('answers malformed requests with 400 and an OpenAI-style error', async () => {
    const { url, client } = await serve();
    const bad = await post(url, '/chat/completions', '{"model": "demo-small", "messages": "hi"}');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages' });
    expect(bad.body.error.message).toMatch(/^messages: /);
    const json = await post(url, '/chat/completions', '{not json');
    expect(json).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    const n = await post(url, '/completions', '{"model": "demo-small", "prompt": "x", "n": 2}');
    expect(n.status).toBe(400);
    expect(n.body.error.message).toContain('only n = 1 is supported');
    const wrongModel = client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'x' }] });
    await expect(wrongModel).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    expect((await post(url, '/embeddings', '{}')).status).toBe(404);
    expect((await fetch(`${url}/chat/completions`)).status).toBe(405);
  });

  it('answers 503 while the model loads, then 200 once marked ready', async () => {
    const fake = fakeEngine();
    server = await startServeServer(fake.engine, { modelId: 'demo-small', encode: charEncode, maxTokens: 8, maxBodyBytes: 4096, ready: false });
    const health = () => fetch(server!.url.replace('/v1', '/health')).then(async (r) => [r.status, await r.json()]);
    expect(await health()).toEqual([503, { status: 'loading' }]);
    const early = await post(server.url, '/chat/completions', '{"model":"demo-small","messages":[{"role":"user","content":"x"}]}');
    expect(early).toMatchObject({ status: 503, body: { error: { code: 'model_loading' } } });
    expect(fake.requests).toHaveLength(0);
    server.markReady();
    expect(await health()).toEqual([200, { status: 'ok' }]);
  });

  it('refuses a body over the limit with 413', async () => {
    const { url } = await serve();
    const big = JSON.stringify({ model: 'demo-small', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const response = await post(url, '/chat/completions', big);
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('request_too_large');
  });

  it('an engine failure is a 500 before streaming, and an error event inside a stream', async () => {
    const { client } = await serve({ fail: 'worker crashed' });
    await expect(client.chat.completions.create({ model: 'demo-small', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 500 });
    const stream = await client.chat.completions.create({ model: 'demo-small', messages: [{ role: 'user', content: 'x' }], stream: true });
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow(/worker crashed/);
  });

  it('stops generating when the client goes away', async () => {
    const { fake, url } = await serve({ tokens: Array(200).fill('z'), gapMs: 5 });
    const controller = new AbortController();
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'demo-small', messages: [{ role: 'user', content: 'x' }], stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    for (let i = 0; i < 50 && fake.aborted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fake.aborted).toHaveLength(1);
  });

  it('is what duet\'s own OpenAI backend expects: timings, usage and the synthetic flag come through', async () => {
    const { url } = await serve({ gapMs: 10 });
    const engine = createOpenAIEngine(modelSchema.parse({ label: 'A', backend: 'openai', url }));
    await engine.start();
    expect(engine.info()).toMatchObject({ model: 'demo-small', synthetic: true });
    const result = await engine.generate({ id: '1', messages: [{ role: 'user', content: 'Hi?' }], promptIds: [], promptText: '', maxNewTokens: 8 });
    expect(result.text).toBe('Hello there');
    expect(result.outputTokens).toBe(4);
    expect(result.tokenTimes).toHaveLength(3);
    expect(result.tokenTimes[2]! - result.tokenTimes[0]!).toBeGreaterThanOrEqual(18);
  });
});
