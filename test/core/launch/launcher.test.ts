import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIEngine } from '../../../source/core/engines/openai/engine.js';
import type { ServerState } from '../../../source/core/events.js';
import { launchServer, loggableCommand, type LaunchedServer } from '../../../source/core/launch/launcher.js';
import { trackedPids } from '../../../source/core/launch/safety-net.js';
import { launchSchema, modelSchema, type LaunchProfile } from '../../../source/core/profile/schema.js';
import { fakeServerPath, freePort, isAlive } from './helpers.js';

const started: LaunchedServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

function spec(port: number, extra: string[] = [], more: Partial<LaunchProfile> = {}): LaunchProfile {
  return launchSchema.parse({
    command: process.execPath,
    args: [fakeServerPath, '--port', String(port), ...extra],
    readyUrl: `http://127.0.0.1:${port}/health`,
    readyTimeoutMs: 10_000,
    stopGraceMs: 2_000,
    ...more,
  });
}

async function launch(s: LaunchProfile, name = 'A', states: string[] = []) {
  const logDir = mkdtempSync(join(tmpdir(), 'duet-launch-'));
  const server = await launchServer(s, { name, logDir, pollIntervalMs: 50, onState: (state: ServerState, detail?: string) => states.push(detail ? `${state}: ${detail}` : state) });
  started.push(server);
  return server;
}

const request = { id: 'q', messages: [{ role: 'user' as const, content: 'hi' }], promptIds: [1], promptText: 'hi', maxNewTokens: 8 };

describe('loggableCommand', () => {
  it('hides the values of key/token flags in the log header', () => {
    expect(loggableCommand('vllm', ['serve', 'm', '--api-key', 'sk-123', '--port', '8001', '--hf-token=hf_abc'])).toBe('vllm serve m --api-key [redacted] --port 8001 --hf-token=[redacted]');
  });
});

describe('launchServer', () => {
  it('starts a server, waits until ready with progress, logs its output, and stops it with SIGTERM', async () => {
    const port = await freePort();
    const states: string[] = [];
    const server = await launch(spec(port, ['--ready-after-ms', '1200'], { env: { FAKE_GREETING: 'hello-env' } }), 'A', states);
    expect(isAlive(server.pid)).toBe(true);
    expect(states[0]).toBe('starting: starting (0 s)');
    expect(states).toContain('starting: starting (1 s)');
    expect(states.at(-1)).toBe('ready');
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const pid = server.pid;
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(await server.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(states.at(-1)).toBe('stopped');
    const log = readFileSync(server.logPath, 'utf8');
    expect(server.logPath).toMatch(/A\.log$/);
    expect(log).toContain('FAKE_GREETING=hello-env');
    expect(log).toContain(`listening on ${port}`);
    expect(trackedPids()).not.toContain(pid);
  });

  it('passes arguments without a shell: nothing in them runs', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'duet-noshell-'));
    const server = await launch(spec(port, ['; rm -rf x', '$(touch pwned)', '`touch pwned2`', '| touch pwned3'], { cwd: dir }));
    const log = readFileSync(server.logPath, 'utf8');
    expect(log).toContain(JSON.stringify(['--port', String(port), '; rm -rf x', '$(touch pwned)', '`touch pwned2`', '| touch pwned3']));
    expect(log).toContain(`cwd=${dir}`);
    for (const name of ['pwned', 'pwned2', 'pwned3']) expect(existsSync(join(dir, name))).toBe(false);
  });

  it('says when a server exits before it is ready, with the last lines of its log', async () => {
    const port = await freePort();
    const error = await launch(spec(port, ['--mode', 'exit-at-start'])).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^server "A" exited with code 3 before it was ready; last lines of .*A\.log:/);
    expect(message).toContain('  | error: model file not found: /models/missing.gguf');
  });

  it('gives up on a server that never becomes ready, kills it, and shows its log tail', async () => {
    const port = await freePort();
    const t0 = performance.now();
    const error = await launch(spec(port, ['--mode', 'never-ready'], { readyTimeoutMs: 1_500 })).catch((e: Error) => e);
    expect(performance.now() - t0).toBeLessThan(8_000);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^server "A" not ready after 2 s \\(http://127.0.0.1:${port}/health: HTTP 503\\)`));
    expect(message).toContain(`  | fake-openai-server listening on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
    // It was stopped: the port is free again.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('names a command that does not exist', async () => {
    const error = await launch(launchSchema.parse({ command: 'duet-no-such-server-xyz', readyUrl: 'http://127.0.0.1:1/health' })).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^server "A": cannot start "duet-no-such-server-xyz": .*ENOENT/);
  });

  it('escalates to SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const port = await freePort();
    const server = await launch(spec(port, ['--mode', 'ignore-term'], { stopGraceMs: 300 }));
    const t0 = performance.now();
    await server.stop();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect((await server.exited).signal).toBe('SIGKILL');
    expect(readFileSync(server.logPath, 'utf8')).toContain('ignoring SIGTERM');
  });

  it('a server killed mid-run fails its requests fast and clearly; the other model keeps going', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const statesA: string[] = [];
    const a = await launch(spec(portA, ['--ttft-ms', '30000']), 'A', statesA);
    const b = await launch(spec(portB, ['--gap-ms', '5']), 'B');
    const engineA = createOpenAIEngine(modelSchema.parse({ label: 'A', backend: 'openai', url: `http://127.0.0.1:${portA}/v1` }));
    const engineB = createOpenAIEngine(modelSchema.parse({ label: 'B', backend: 'openai', url: `http://127.0.0.1:${portB}/v1` }));
    await Promise.all([engineA.start(), engineB.start()]);
    const inFlight = engineA.generate(request).catch((e: Error) => e);
    // Kill it once it is working on the request (a loaded box may take a while to get there).
    for (let i = 0; i < 200; i++) {
      const stats = (await (await fetch(`http://127.0.0.1:${portA}/stats`)).json()) as unknown[];
      if (stats.length > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 50));
    const tKill = performance.now();
    process.kill(a.pid, 'SIGKILL');
    const error = await inFlight;
    // Far sooner than the 30 s first token or the 120 s request timeout (slack for a loaded box).
    expect(performance.now() - tKill).toBeLessThan(2_000);
    // Cut mid-stream, or (when the headers had not been read yet) mid-request: either way, said clearly.
    expect((error as Error).message).toMatch(/^model "A" \(http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions\): (stream cut mid-answer after 0 tokens|request failed: )/);
    // Refused, or (a kept-alive socket the dead server had not yet been seen to close) reset.
    await expect(engineA.generate(request)).rejects.toThrow(/request failed: (ECONNREFUSED|ECONNRESET)/);
    expect((await a.exited).signal).toBe('SIGKILL');
    expect(statesA.at(-1)).toMatch(/^exited: was killed by SIGKILL/);
    const result = await engineB.generate(request);
    expect(result.text).toBe(' t0 t1 t2');
    expect(result.finishReason).toBe('stop');
    expect(isAlive(b.pid)).toBe(true);
  });

  it('restarts a dead server with backoff when restart is on', async () => {
    const port = await freePort();
    const states: string[] = [];
    const logDir = mkdtempSync(join(tmpdir(), 'duet-restart-'));
    const server = await launchServer(spec(port, [], { restart: true }), { name: 'A', logDir, pollIntervalMs: 50, restartDelayMs: 100, onState: (s, d) => states.push(d ? `${s}: ${d}` : s) });
    started.push(server);
    const first = server.pid;
    process.kill(first, 'SIGKILL');
    for (let i = 0; i < 100 && !states.includes('ready: restarted (1)'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(states).toContain('ready: restarted (1)');
    expect(server.pid).not.toBe(first);
    expect(isAlive(server.pid)).toBe(true);
    const second = server.pid;
    await server.stop();
    expect(isAlive(second)).toBe(false);
  });

  it('gives a restarted server that stayed up its restart budget back (maxRestarts is not a lifetime limit)', async () => {
    const port = await freePort();
    const states: string[] = [];
    const logDir = mkdtempSync(join(tmpdir(), 'duet-restart-'));
    const options = { name: 'A', logDir, pollIntervalMs: 50, restartDelayMs: 50, maxRestarts: 1, stableAfterMs: 500 };
    const server = await launchServer(spec(port, [], { restart: true }), { ...options, onState: (s, d) => states.push(d ? `${s}: ${d}` : s) });
    started.push(server);
    const waitFor = async (count: number) => {
      for (let i = 0; i < 200 && states.filter((s) => s === 'ready: restarted (1)').length < count; i++) await new Promise((r) => setTimeout(r, 50));
    };
    process.kill(server.pid, 'SIGKILL');
    await waitFor(1);
    await new Promise((r) => setTimeout(r, 700)); // up longer than stableAfterMs
    process.kill(server.pid, 'SIGKILL');
    await waitFor(2);
    expect(states.filter((s) => s === 'ready: restarted (1)')).toHaveLength(2);
    expect(states.some((s) => s.startsWith('down'))).toBe(false);
    await server.stop();
  });

  it('--attach starts nothing and only waits for readiness', async () => {
    const port = await freePort();
    const running = await launch(spec(port));
    const states: string[] = [];
    const attached = await launchServer(spec(port, [], { command: 'must-not-run' }), { name: 'A', logDir: '/nonexistent', attach: true, pollIntervalMs: 50, onState: (s) => states.push(s) });
    expect(attached.pid).toBe(0);
    expect(states.at(-1)).toBe('ready');
    await attached.stop();
    expect(isAlive(running.pid)).toBe(true);
    const dead = await freePort();
    await expect(
      launchServer(spec(dead, [], { readyTimeoutMs: 300 }), { name: 'B', logDir: '/nonexistent', attach: true, pollIntervalMs: 50 }),
    ).rejects.toThrow(`server "B" at http://127.0.0.1:${dead}/health not ready after 0 s (--attach starts nothing): ECONNREFUSED`);
  });
});
