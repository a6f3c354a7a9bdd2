/**
 * `duet serve` against hostile requests: a malformed percent-encoding is the client's
 * mistake (400, not 500), and a prompt longer than the model's context or than memory
 * allows is refused with 400 before it is tokenised whole or reaches the engine.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { promptTokenLimit } from '../../source/commands/serve.js';
import { startServeServer, type ServeServer } from '../../source/core/serve/server.js';
import { charEncode, fakeEngine } from '../core/serve/fake-engine.js';

let server: ServeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('duet serve paths', () => {
  it('a malformed percent-encoding is 400 with an OpenAI error body', async () => {
    server = await startServeServer(fakeEngine().engine, { modelId: 'demo-small', encode: charEncode, maxTokens: 8, maxBodyBytes: 4096 });
    for (const path of ['/models/%E0%A4%A', '/models/%', '/models/%zz']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(400);
      const body = (await response.json()) as { error: { type: string; code: string } };
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_path' });
    }
    expect((await fetch(`${server.url}/models/demo-small`)).status).toBe(200);
  });
});

describe('duet serve identity', () => {
  it('echoes the nonce of the duet that launched it in /v1/models, and nothing without one', async () => {
    server = await startServeServer(fakeEngine().engine, { modelId: 'demo-small', encode: charEncode, maxTokens: 8, maxBodyBytes: 4096, nonce: 'n-123' });
    const listed = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string; duet: { nonce?: string } }[] };
    expect(listed.data.map((m) => [m.id, m.duet.nonce])).toEqual([['demo-small', 'n-123']]);
    await server.close();
    server = await startServeServer(fakeEngine().engine, { modelId: 'demo-small', encode: charEncode, maxTokens: 8, maxBodyBytes: 4096 });
    const plain = (await (await fetch(`${server.url}/models`)).json()) as { data: { duet: Record<string, unknown> }[] };
    expect('nonce' in plain.data[0]!.duet).toBe(false);
  });
});

describe('duet serve prompt length', () => {
  it('refuses a prompt over the limit with 400 naming the limit; the engine never sees it and a huge one is never tokenised whole', async () => {
    const fake = fakeEngine();
    const encoded: number[] = [];
    const encode = (text: string) => (encoded.push(text.length), charEncode(text));
    server = await startServeServer(fake.engine, { modelId: 'demo-small', encode, maxTokens: 8, maxBodyBytes: 2_000_000, maxPromptTokens: 100 });
    const ask = (prompt: string) => fetch(`${server!.url}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'demo-small', prompt }) });
    expect((await ask('x'.repeat(100))).status).toBe(200);
    const over = await ask('x'.repeat(101));
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: { message: string; code: string; param: string } }).error).toEqual(
      expect.objectContaining({ code: 'context_length_exceeded', param: 'prompt', message: expect.stringMatching(/^the prompt is 101 tokens, more than the 100 this server accepts/) as string }),
    );
    encoded.length = 0;
    const huge = await ask('y'.repeat(1_000_000));
    expect(huge.status).toBe(400);
    expect(Math.max(...encoded)).toBeLessThanOrEqual(800);
    expect(fake.requests).toHaveLength(1);
  });

  it('the limit is the model context less max_tokens, or what memory allows for a batch of prefills, whichever is smaller', () => {
    const folder = mkdtempSync(join(tmpdir(), 'duet-serve-limit-'));
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ max_position_embeddings: 2048, num_attention_heads: 8 }));
    const GB = 1024 ** 3;
    // Memory: sqrt(16 GB / 4 / (8 heads * 8 bytes * batch 8)) = 2896 tokens; context: 2048 - 128 = 1920.
    expect(promptTokenLimit(folder, 128, 8, undefined, 16 * GB)).toBe(1920);
    // 1 GB: sqrt(2^30 / 4 / 512) = 724.
    expect(promptTokenLimit(folder, 128, 8, undefined, GB)).toBe(724);
    // A flag may raise the memory bound, never past the context.
    expect(promptTokenLimit(folder, 128, 8, 1000, GB)).toBe(1000);
    expect(promptTokenLimit(folder, 128, 8, 99_999, GB)).toBe(1920);
  });
});
