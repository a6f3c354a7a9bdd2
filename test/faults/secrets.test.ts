/**
 * Secrets given to a launched server as arguments never appear in what duet writes (the
 * server log's first line, the session header), and every file that carries prompts or
 * answers is the owner's only, an existing one included.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchServer, loggableCommand, type LaunchedServer } from '../../source/core/launch/launcher.js';
import { launchSchema, profileSchema } from '../../source/core/profile/schema.js';
import { redactArgs, REDACTED } from '../../source/core/secrets.js';
import { buildSessionHeader } from '../../source/core/session/header.js';
import { fakeServerPath, freePort } from '../core/launch/helpers.js';

const secretArgs = [
  'serve', 'model', '--api-key', 'sk-flag-1', '--api-key=sk-inline-2', '--hf-token', 'hf_3', '--header', 'Authorization: Bearer tok-4',
  '-H', 'x-api-key: key-5', '--headers', '{"Authorization":"Bearer tok-6"}', '--url', 'http://user:pw-7@host:1/v1', '--max-tokens', '128', '--max-num-batched-tokens', '8192',
];
const secrets = ['sk-flag-1', 'sk-inline-2', 'hf_3', 'tok-4', 'key-5', 'tok-6', 'pw-7'];

describe('launch arguments are redacted in one place', () => {
  it('flags, inline flags, header arguments, bearer tokens and URL passwords; counts like --max-tokens stay', () => {
    expect(redactArgs(secretArgs)).toEqual([
      'serve', 'model', '--api-key', REDACTED, `--api-key=${REDACTED}`, '--hf-token', REDACTED, '--header', `Authorization: ${REDACTED}`,
      '-H', `x-api-key: ${REDACTED}`, '--headers', `{"Authorization":"Bearer ${REDACTED}"}`, '--url', `http://user:${REDACTED}@host:1/v1`, '--max-tokens', '128', '--max-num-batched-tokens', '8192',
    ]);
  });

  it('the session header and the server log line carry none of them', () => {
    const profile = profileSchema.parse({
      models: [
        { label: 'a', backend: 'onnx', path: '/m/a' },
        { label: 'b', backend: 'openai', url: 'http://127.0.0.1:8001/v1', launch: { command: 'vllm', args: secretArgs } },
      ],
      workload: { dataset: 'squad.json' },
    });
    const info = { label: 'a', backend: 'onnx', model: 'm', device: 'cpu', synthetic: true } as const;
    const header = JSON.stringify(buildSessionHeader({ duetVersion: '0', wallStart: 'x', profile, models: { A: info, B: info }, dataset: { path: 'd', questions: 1 } }));
    const line = loggableCommand('vllm', secretArgs);
    for (const secret of secrets) {
      expect(header).not.toContain(secret);
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('--max-num-batched-tokens 8192');
  });
});

describe('owner-only files', () => {
  const started: LaunchedServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });

  it('a server log is created 0600, and an existing 0644 one is made 0600', async () => {
    const logDir = join(mkdtempSync(join(tmpdir(), 'duet-modes-')), 'session');
    mkdirSync(logDir);
    const existing = join(logDir, 'B.log');
    writeFileSync(existing, 'old run\n');
    chmodSync(existing, 0o644);
    for (const name of ['A', 'B']) {
      const port = await freePort();
      const spec = launchSchema.parse({ command: process.execPath, args: [fakeServerPath, '--port', String(port), '--api-key', 'sk-secret-9'], readyUrl: `http://127.0.0.1:${port}/health`, readyTimeoutMs: 10_000 });
      const server = await launchServer(spec, { name, logDir, pollIntervalMs: 50 });
      started.push(server);
      expect(statSync(server.logPath).mode & 0o777).toBe(0o600);
      const duetLine = readFileSync(server.logPath, 'utf8').split('\n').find((l) => l.startsWith('---'))!;
      expect(duetLine).toContain(`--api-key ${REDACTED}`);
      expect(duetLine).not.toContain('sk-secret-9');
    }
  }, 30_000);
});
