import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = new URL('../../', import.meta.url).pathname;
const cli = join(repo, 'bin/duet.js');

function duet(args: string[]) {
  return execa(process.execPath, [cli, ...args], { cwd: repo, reject: false, timeout: 60_000 });
}

describe('duet serve: user mistakes end in one clear line', () => {
  it.each([
    [['serve'], 2, 'duet: serve: --model <folder> is required (e.g. --model models/demo-small)'],
    [['serve', '--model', 'x', '--port', '70000'], 2, 'duet: serve: --port expects an integer from 0 to 65535, got 70000'],
    [['serve', '--model', 'x', '--max-body', 'lots'], 1, 'duet: serve: --max-body: expected a size like 1mb, 512kb or 65536, got "lots"'],
    [['serve', '--model', 'x', '--bogus'], 2, 'duet: serve: unknown flag --bogus; run duet serve --help for the list'],
  ])('%j', async (args, exitCode, line) => {
    const result = await duet(args);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stderr).toBe(line);
  });

  it('names a missing model folder', async () => {
    const result = await duet(['serve', '--model', '/nonexistent/demo-small']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^duet: \/nonexistent\/demo-small: model folder not found/);
  });
});

describe('duet serve over the real ONNX engine', () => {
  let root: string;
  let child: ResultPromise | undefined;
  let url = '';
  let model = '';

  beforeAll(async () => {
    const { writeDemoModel } = await import('../../source/core/engines/onnx/demo/write-model.js');
    const { tinySpec, LLAMA3_VOCAB_SIZE } = await import('../../source/core/engines/onnx/demo/spec.js');
    root = mkdtempSync(join(tmpdir(), 'duet-serve-cmd-'));
    model = join(root, 'tiny-served');
    await writeDemoModel(model, tinySpec({ name: 'tiny-served', vocabSize: LLAMA3_VOCAB_SIZE }));
    child = execa(process.execPath, [cli, 'serve', '--model', model, '--port', '0', '--max-tokens', '6', '--threads', '1'], { cwd: repo, reject: false });
    // The one ready line says where it listens (port 0 = any free port).
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (data: Buffer) => {
        out += data.toString();
        const match = /^duet serve: tiny-served on (http:\/\/127\.0\.0\.1:\d+\/v1) \(synthetic weights\)$/m.exec(out);
        if (match) resolve(match[1]!);
      });
      void child!.then((r) => reject(new Error(`duet serve exited: ${r.stderr}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    await child;
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('speaks the OpenAI API to the openai client: chat and completions, streaming and not', async () => {
    const client = new OpenAI({ baseURL: url, apiKey: 'unused', maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data[0]).toMatchObject({ id: 'tiny-served', owned_by: 'duet', duet: { synthetic: true } });
    const messages = [{ role: 'user' as const, content: 'Name a colour.' }];
    const answer = await client.chat.completions.create({ model: 'tiny-served', messages, max_tokens: 100 });
    expect(answer.usage!.completion_tokens).toBeGreaterThan(0);
    expect(answer.usage!.completion_tokens).toBeLessThanOrEqual(6); // capped by --max-tokens
    const stream = await client.chat.completions.create({ model: 'tiny-served', messages, max_tokens: 100, stream: true, stream_options: { include_usage: true } });
    let streamed = '';
    let usage;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    // Greedy: the stream says exactly what the plain answer said.
    expect(streamed).toBe(answer.choices[0]!.message.content);
    expect(usage).toEqual(answer.usage);
    const text = await client.completions.create({ model: 'tiny-served', prompt: '<|begin_of_text|>The sky is', max_tokens: 3 });
    expect(text.object).toBe('text_completion');
    expect(text.usage!.completion_tokens).toBeLessThanOrEqual(3);
  });

  it('refuses a port already in use, naming it', async () => {
    const port = Number(new URL(url).port);
    const result = await duet(['serve', '--model', model, '--port', String(port)]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`duet: serve: port ${port} on 127.0.0.1 is in use; pick another with --port`);
  });

  it('stops cleanly on SIGINT', async () => {
    const pid = child!.pid!;
    child!.kill('SIGINT');
    const result = await child!;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('duet serve: SIGINT, stopping');
    expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);
});

