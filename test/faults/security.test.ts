/**
 * Security: no shell between a profile and its server, secrets never leave the process,
 * `duet serve` is loopback-only by default and strict about what it accepts, session
 * logs are private.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as serveCommand } from '../../source/commands/serve.js';
import { systemClock } from '../../source/core/clock.js';
import { createOpenAIEngine } from '../../source/core/engines/openai/engine.js';
import { summaryText } from '../../source/core/headless/index.js';
import { launchServer } from '../../source/core/launch/launcher.js';
import { launchSchema, profileSchema } from '../../source/core/profile/schema.js';
import { startServeServer } from '../../source/core/serve/server.js';
import { buildSessionHeader } from '../../source/core/session/header.js';
import { openSessionLog } from '../../source/core/session/writer.js';
import { waitGone } from '../../scripts/lib/processes.js';
import { fakeServerPath, freePort } from '../core/launch/helpers.js';
import { makeQuestions, startHarness } from '../core/run/harness.js';
import { fakeEngine } from '../core/serve/fake-engine.js';
import { accountFor } from './accounting.js';

describe('no shell anywhere', () => {
  it('profile args such as "; rm -rf x" and "$(touch pwned)" reach the server verbatim and nothing runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-noshell-'));
    mkdirSync(join(dir, 'x'));
    const port = await freePort();
    const hostile = ['; rm -rf x', '$(touch pwned)', '`touch pwned2`', '&& touch pwned3', '| touch pwned4', "'; touch pwned5; '", '*'];
    const spec = launchSchema.parse({
      command: process.execPath,
      args: [fakeServerPath, '--port', String(port), ...hostile],
      cwd: dir,
      readyUrl: `http://127.0.0.1:${port}/health`,
      readyTimeoutMs: 30_000,
      stopGraceMs: 2000,
    });
    const server = await launchServer(spec, { name: 'hostile', logDir: join(dir, 'logs'), baseDir: dir, pollIntervalMs: 50 });
    const pid = server.pid;
    await server.stop();
    expect(await waitGone([pid])).toEqual([]);
    const log = readFileSync(server.logPath, 'utf8');
    const argv = JSON.parse(/fake-openai-server argv: (.*)/.exec(log)![1]!) as string[];
    expect(argv.slice(2)).toEqual(hostile);
    expect(existsSync(join(dir, 'x'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
    expect(readdirSync(process.cwd()).filter((f) => f.startsWith('pwned'))).toEqual([]);
  }, 60_000);
});

describe('secrets', () => {
  it('an API key from the environment never appears in events, the log, the summary or error messages', async () => {
    const secret = 'sk-live-0123456789abcdef-SECRET';
    // A hostile server: it echoes the Authorization header back in its error bodies.
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      const auth = req.headers.authorization ?? '';
      if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'm' }] }));
      const status = calls++ % 2 === 0 ? 401 : 500;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `bad key ${auth}` } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const dir = mkdtempSync(join(tmpdir(), 'duet-secret-'));
    const logPath = join(dir, 'session.jsonl');
    try {
      const model = (label: string) => ({ label, backend: 'openai', url, apiKeyEnv: 'DUET_TEST_API_KEY', launch: { command: 'server', args: ['--api-key', secret], env: { DUET_TEST_API_KEY: secret } } });
      const profile = profileSchema.parse({ models: [model('a'), model('b')], workload: { dataset: 'x.json' }, telemetry: { source: 'none' } });
      const env = { DUET_TEST_API_KEY: secret };
      const engines = { A: createOpenAIEngine(profile.models[0], { env }), B: createOpenAIEngine(profile.models[1], { env }) };
      const h = await startHarness({
        profile,
        engines,
        questions: makeQuestions(12),
        extra: {
          clock: systemClock,
          timers: undefined,
          openLog: ({ models, wallStart, warn }) => openSessionLog(logPath, buildSessionHeader({ duetVersion: 'test', wallStart, profile, models, dataset: { path: 'x.json', hash: '0', questions: 12 } }), { onError: warn }),
        },
      });
      const outcome = await h.run.finished;
      const errors = h.records().map((r) => r.error ?? '');
      expect(errors.every((e) => /HTTP (401|500)/.test(e))).toBe(true);
      expect(errors.some((e) => e.includes('bad key Bearer ***'))).toBe(true);
      expect(accountFor(h.events).problems).toEqual([]);
      const outputs = { events: JSON.stringify(h.events), log: readFileSync(logPath, 'utf8'), summary: summaryText(outcome), snapshot: JSON.stringify(outcome.snapshot) };
      for (const [where, text] of Object.entries(outputs)) expect(text.includes(secret), `secret found in ${where}`).toBe(false);
      expect(outputs.log).toContain('DUET_TEST_API_KEY'); // the variable's name is kept, its value is not
      // Unreachable server: the start error names the URL, not the key.
      const dead = createOpenAIEngine({ ...profile.models[0], url: 'http://127.0.0.1:9/v1' }, { env });
      const startError = await dead.start().then(() => '', (e: Error) => e.message);
      expect(startError).toContain('cannot reach');
      expect(startError).not.toContain(secret);
    } finally {
      await new Promise((r) => server.close(r));
    }
  }, 30_000);
});

/** A raw request (so bodies can be malformed or huge); resolves with the status. */
function post(port: number, path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('duet serve', () => {
  it('binds 127.0.0.1 by default (the command and the server), unreachable from other interfaces', async () => {
    expect(serveCommand.flags.host.default).toBe('127.0.0.1');
    const server = await startServeServer(fakeEngine().engine, { modelId: 'm', encode: (t) => [...t].map((c) => c.charCodeAt(0)), maxTokens: 8, maxBodyBytes: 1024 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
      if (external) {
        const reached = await fetch(`http://${external.address}:${server.port}/health`, { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);
        expect(reached).toBe(false);
      }
    } finally {
      await server.close();
    }
  });

  it('answers malformed requests with 400 and oversized bodies with 413', async () => {
    const server = await startServeServer(fakeEngine().engine, { modelId: 'm', encode: (t) => [...t].map((c) => c.charCodeAt(0)), maxTokens: 8, maxBodyBytes: 1024 });
    try {
      const chat = '/v1/chat/completions';
      expect(await post(server.port, chat, '{"model": "m", "messages": [')).toBe(400);
      expect(await post(server.port, chat, JSON.stringify({ model: 'm', messages: 'hello' }))).toBe(400);
      expect(await post(server.port, chat, JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: -5 }))).toBe(400);
      expect(await post(server.port, '/v1/completions', JSON.stringify({ model: 'm' }))).toBe(400);
      const huge = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
      expect(await post(server.port, chat, huge)).toBe(413);
      // Without a content-length the limit still holds (chunked upload).
      expect(await post(server.port, chat, huge, { 'transfer-encoding': 'chunked' })).toBe(413);
      expect(await post(server.port, chat, JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: false }))).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('session logs', () => {
  it('are created readable and writable by the owner only (0600), whatever the umask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-mode-'));
    const previous = process.umask(0);
    try {
      const profile = profileSchema.parse({ models: [{ label: 'a', backend: 'onnx', path: 'a' }, { label: 'b', backend: 'onnx', path: 'b' }], workload: { dataset: 'x' } });
      const info = { label: 'a', backend: 'onnx' as const, model: 'a', device: 'cpu', synthetic: true };
      const log = await openSessionLog(join(dir, 'logs', 's.jsonl'), buildSessionHeader({ duetVersion: 't', wallStart: new Date().toISOString(), profile, models: { A: info, B: info }, dataset: { path: 'x', hash: '0', questions: 1 } }));
      await log.close();
      expect(statSync(log.path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });
});
