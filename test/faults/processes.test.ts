/**
 * Launched servers live and die with duet, and readiness proves it reached the process
 * duet started: SIGKILL of duet (no handler runs) still takes its servers down, and a port
 * already held by another server ends the launch with one clear error and no answers.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyIdentity } from '../../source/core/launch/identity.js';
import { launchServer, type LaunchedServer } from '../../source/core/launch/launcher.js';
import { watchdogPrefix } from '../../source/core/launch/watchdog.js';
import { launchSchema } from '../../source/core/profile/schema.js';
import { fakeServerPath, freePort, isAlive } from '../core/launch/helpers.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

const spec = (port: number, extra: string[] = []) =>
  launchSchema.parse({ command: process.execPath, args: [fakeServerPath, '--port', String(port), ...extra], readyUrl: `http://127.0.0.1:${port}/health`, readyTimeoutMs: 4_000, stopGraceMs: 1_000 });

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

describe('a launched server dies with duet', () => {
  it.skipIf(process.platform !== 'linux' || watchdogPrefix().length === 0)('even when duet is killed with SIGKILL', async () => {
    const port = await freePort();
    const launcher = resolve('source/core/launch/launcher.ts');
    const script = `
      import { launchServer } from ${JSON.stringify(launcher)};
      const server = await launchServer(${JSON.stringify(spec(port))}, { name: 'A', logDir: ${JSON.stringify(mkdtempSync(join(tmpdir(), 'duet-orphan-')))}, pollIntervalMs: 50 });
      process.stdout.write(server.pid + '\\n');
      setInterval(() => {}, 1000);
    `;
    const duet = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((done) => duet.stdout.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim()))));
    cleanup.push(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    });
    expect(isAlive(pid)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    duet.kill('SIGKILL');
    expect(await gone(pid, 5_000)).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 30_000);
});

describe('readiness reaches our own server', () => {
  it('a port held by another server: one clear error, our server gone, no answers taken from the squatter', async () => {
    const port = await freePort();
    // The squatter: a server for another model, already on the port.
    const squatter = spawn(process.execPath, [fakeServerPath, '--port', String(port), '--model', 'somebody-else'], { stdio: 'ignore' });
    cleanup.push(() => squatter.kill('SIGKILL'));
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const error = await launchServer(spec(port, ['--model', 'expected-model']), {
      name: 'B',
      logDir: mkdtempSync(join(tmpdir(), 'duet-squat-')),
      pollIntervalMs: 50,
      identity: { modelsUrl: `http://127.0.0.1:${port}/v1/models`, modelId: 'expected-model' },
    }).then(
      (server: LaunchedServer) => {
        cleanup.push(() => server.stop());
        return undefined;
      },
      (e: Error) => e,
    );
    expect(error, 'the launch must fail').toBeInstanceOf(Error);
    // Ours dies of EADDRINUSE; the message carries its log, which says so.
    expect(error!.message.split('\n')[0]).toMatch(/^server "B" exited with code \d+ before it was ready; last lines of .*B\.log:$/);
    expect(error!.message).toMatch(/EADDRINUSE/);
  }, 30_000);

  it('two launched duet serve on one port: the first is ready (its nonce echoed), the second fails in one message', async () => {
    const port = await freePort();
    const serveSpec = launchSchema.parse({
      command: process.execPath,
      args: [resolve('bin/duet.js'), 'serve', '--model', resolve('models/demo-small'), '--port', String(port)],
      readyUrl: `http://127.0.0.1:${port}/health`,
      readyTimeoutMs: 60_000,
      stopGraceMs: 5_000,
    });
    const identity = { modelsUrl: `http://127.0.0.1:${port}/v1/models` };
    const logDir = mkdtempSync(join(tmpdir(), 'duet-two-serve-'));
    const first = await launchServer(serveSpec, { name: 'A', logDir, pollIntervalMs: 100, identity });
    cleanup.push(() => first.stop());
    const second = await launchServer(serveSpec, { name: 'B', logDir, pollIntervalMs: 100, identity }).then(
      (server) => (cleanup.push(() => server.stop()), undefined),
      (e: Error) => e,
    );
    expect(second, 'the second launch must fail').toBeInstanceOf(Error);
    expect(second!.message).toMatch(/^server "B" exited with code 1 before it was ready; last lines of .*B\.log:/);
    expect(second!.message).toContain(`duet: serve: port ${port} on 127.0.0.1 is in use`);
  }, 120_000);

  it('the nonce tells our duet serve from another one; the model id tells other servers apart', async () => {
    let entries: unknown[] = [];
    const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: entries })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1/models`;
    const check = (modelId?: string) => verifyIdentity({ modelsUrl: url, ...(modelId ? { modelId } : {}) }, 'nonce-ours', fetch, new AbortController().signal);
    entries = [{ id: 'demo-small', duet: { nonce: 'nonce-ours' } }];
    expect(await check()).toBeUndefined();
    entries = [{ id: 'demo-small', duet: { nonce: 'nonce-theirs' } }];
    expect(await check()).toBe('the port is answered by another duet serve, not the one just started (is another process on this port?)');
    entries = [{ id: 'demo-small', duet: {} }];
    expect(await check()).toMatch(/another duet serve/);
    entries = [{ id: 'llama-3.2-3b' }];
    expect(await check('llama-3.2-3b')).toBeUndefined();
    expect(await check('llama-3.2-1b')).toBe('the port is answered by a server without model "llama-3.2-1b" (it serves: llama-3.2-3b); is another process on this port?');
  });
});
