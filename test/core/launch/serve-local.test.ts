import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIEngine } from '../../../source/core/engines/openai/engine.js';
import type { RunEvent } from '../../../source/core/events.js';
import { launchServer, type LaunchedServer } from '../../../source/core/launch/launcher.js';
import { launchSchema, modelSchema, profileSchema } from '../../../source/core/profile/schema.js';
import type { QueryRecord } from '../../../source/core/query.js';
import { freePort, isAlive } from './helpers.js';

const repo = new URL('../../../', import.meta.url).pathname;

/**
 * serve-local, for real: two `duet serve` processes (tiny synthetic models with the real
 * Llama 3 vocabulary) started by the launcher, a short headless session driven through
 * the OpenAI backend, then a clean shutdown with no process left behind.
 */
describe('two real duet serve processes through the launcher', () => {
  let root: string;
  const servers: LaunchedServer[] = [];
  const urls: string[] = [];
  const pids: number[] = [];
  const states: string[] = [];

  beforeAll(async () => {
    const { writeDemoModel } = await import('../../../source/core/engines/onnx/demo/write-model.js');
    const { tinySpec, LLAMA3_VOCAB_SIZE } = await import('../../../source/core/engines/onnx/demo/spec.js');
    root = mkdtempSync(join(tmpdir(), 'duet-serve-local-'));
    await writeDemoModel(join(root, 'tiny-small'), tinySpec({ name: 'tiny-small', vocabSize: LLAMA3_VOCAB_SIZE }));
    await writeDemoModel(join(root, 'tiny-large'), tinySpec({ name: 'tiny-large', vocabSize: LLAMA3_VOCAB_SIZE, hiddenSize: 64, layers: 3, seed: 11 }));
    for (const [slot, name] of [['A', 'tiny-small'], ['B', 'tiny-large']] as const) {
      const port = await freePort();
      const spec = launchSchema.parse({
        command: process.execPath,
        args: ['bin/duet.js', 'serve', '--model', join(root, name), '--port', String(port), '--max-tokens', '64', '--threads', '1'],
        cwd: repo,
        readyUrl: `http://127.0.0.1:${port}/health`,
        readyTimeoutMs: 90_000,
        stopGraceMs: 10_000,
      });
      const server = await launchServer(spec, { name: slot, logDir: join(root, 'logs'), onState: (s, d) => states.push(`${slot} ${s}${d ? ` ${d}` : ''}`) });
      servers.push(server);
      pids.push(server.pid);
      urls.push(`http://127.0.0.1:${port}/v1`);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('answers through the OpenAI backend: deterministic greedy text, usage and ordered timings', async () => {
    const engine = createOpenAIEngine(modelSchema.parse({ label: 'A', backend: 'openai', url: urls[0] }));
    await engine.start();
    expect(engine.info()).toMatchObject({ backend: 'openai', model: 'tiny-small', synthetic: true });
    const request = (id: string) => ({ id, messages: [{ role: 'user' as const, content: 'Where is the Eiffel tower?' }], promptIds: [], promptText: '', maxNewTokens: 8 });
    // Four at once (the server batches them) and one alone: greedy answers must agree.
    const together = await Promise.all([1, 2, 3, 4].map((i) => engine.generate(request(`t${i}`))));
    const alone = await engine.generate(request('alone'));
    for (const result of [...together, alone]) {
      expect(result.text).toBe(alone.text);
      expect(result.outputTokens).toBeGreaterThan(0);
      expect(result.outputTokens).toBeLessThanOrEqual(8);
      expect(result.promptTokens).toBe(alone.promptTokens);
      expect(result.tStart).toBeLessThanOrEqual(result.tFirstToken!);
      expect(result.tokenTimes[0]).toBe(result.tFirstToken);
      expect([...result.tokenTimes].sort((a, b) => a - b)).toEqual(result.tokenTimes);
      expect(result.tEnd).toBeGreaterThanOrEqual(result.tokenTimes.at(-1)!);
    }
    // <|begin_of_text|> + header + "\n\n" + the question + <|eot_id|> + assistant header: about 16 tokens.
    expect(alone.promptTokens).toBeGreaterThan(10);
    expect(alone.promptTokens).toBeLessThan(30);
  });

  it('runs a short headless session (mirror policy) with no failed query', async () => {
    const { startRun } = await import('../../../source/core/run/controller.js');
    const { MetricsStore } = await import('../../../source/core/metrics/store.js');
    const { scoreAnswer } = await import('../../../source/core/eval/squad-score.js');
    const { renderLlama3Chat } = await import('../../../source/core/dataset/prompt.js');
    const profile = profileSchema.parse({
      models: [
        { label: 'small', backend: 'openai', url: urls[0], requestTimeoutMs: 30_000 },
        { label: 'large', backend: 'openai', url: urls[1], requestTimeoutMs: 30_000 },
      ],
      workload: { dataset: 'inline', maxNewTokens: 8, load: { mode: 'closed', concurrency: 2 } },
      scheduler: { policy: 'mirror' },
      telemetry: { source: 'none' },
    });
    const questions = Array.from({ length: 4 }, (_, i) => ({ id: `q${i}`, question: `What is ${i}?`, answers: [`${i}`], isImpossible: false }));
    const store = new MetricsStore({ slo: profile.slo });
    const events: RunEvent[] = [];
    const run = await startRun({
      profile,
      engines: { A: createOpenAIEngine(profile.models[0]), B: createOpenAIEngine(profile.models[1]) },
      questions,
      buildPrompt: (q) => {
        const messages = [{ role: 'user' as const, content: q.question }];
        return { messages, promptText: renderLlama3Chat(messages), promptIds: [], promptTokens: 0, contextTrimmed: false };
      },
      extractAnswer: (raw) => raw.trim(),
      scoreAnswer,
      metrics: { push: (e) => (events.push(e), store.push(e)), snapshot: (t) => store.snapshot(t) },
    });
    const outcome = await run.finished;
    expect(outcome.reason).toBe('finished');
    const records = events.flatMap((e): QueryRecord[] => (e.type === 'query-finished' || e.type === 'query-failed' ? [e.record] : []));
    expect(records.filter((r) => !r.warmup)).toHaveLength(8);
    expect(records.filter((r) => r.error)).toEqual([]);
    for (const r of records) {
      expect(r.tFirstToken).toBeGreaterThanOrEqual(r.tStart!);
      expect(r.tEnd).toBeGreaterThanOrEqual(r.tFirstToken!);
      expect(r.outputTokens).toBeGreaterThan(0);
      expect(r.promptTokens).toBeGreaterThan(5);
    }
    const start = events.find((e) => e.type === 'run-start');
    expect(start?.type === 'run-start' && start.models.A).toMatchObject({ backend: 'openai', model: 'tiny-small', synthetic: true });
  }, 120_000);

  it('stops both servers cleanly: SIGTERM honoured, no process left', async () => {
    expect(pids.every(isAlive)).toBe(true);
    await Promise.all(servers.map((s) => s.stop()));
    for (const server of servers) expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(pids.some(isAlive)).toBe(false);
    const log = readFileSync(servers[0]!.logPath, 'utf8');
    expect(log).toMatch(/duet serve: tiny-small on http:\/\/127\.0\.0\.1:\d+\/v1 \(synthetic weights\)/);
    expect(log).toContain('duet serve: SIGTERM, stopping');
    expect(states).toContain('A ready');
    expect(states).toContain('B stopped');
  }, 30_000);
});
