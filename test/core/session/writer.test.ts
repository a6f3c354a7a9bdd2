import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineInfo } from '../../../source/core/engines/engine.js';
import type { RunEvent } from '../../../source/core/events.js';
import { profileSchema } from '../../../source/core/profile/schema.js';
import { buildSessionHeader, defaultLogPath, redactSecrets, REDACTED } from '../../../source/core/session/header.js';
import { openSessionLog } from '../../../source/core/session/writer.js';

const info: EngineInfo = { label: 'small', backend: 'onnx', model: 'demo-s', device: 'cpu', synthetic: true };
const profile = profileSchema.parse({
  name: 'demo',
  models: [
    { label: 'small', backend: 'onnx', path: '/m/s' },
    {
      label: 'large',
      backend: 'openai',
      url: 'http://user:hunter2@127.0.0.1:8001/v1',
      apiKeyEnv: 'DUET_KEY',
      launch: { command: 'vllm', args: ['serve', '--api-key', 'sk-1', '--token=tok-2', '--port', '8001'], env: { HF_TOKEN: 'hf-3', ASCEND_VISIBLE_DEVICES: '0' } },
    },
  ],
  workload: { dataset: 'squad.json' },
});
const header = () =>
  buildSessionHeader({ duetVersion: '0.1.0', wallStart: '2026-01-02T03:04:05.000Z', profile, models: { A: info, B: { ...info, label: 'large', synthetic: false } }, dataset: { path: 'squad.json', hash: 'abc', questions: 10 } });
const tmp = () => mkdtempSync(join(tmpdir(), 'duet-log-'));
const warning = (n: number): RunEvent => ({ type: 'warning', t: n, message: `event ${n}` });

describe('session header', () => {
  it('redacts env values, secret flags, URL passwords, and keeps the key variable name', () => {
    const text = JSON.stringify(header());
    for (const secret of ['sk-1', 'tok-2', 'hf-3', 'hunter2']) expect(text).not.toContain(secret);
    const large = (header().profile as { models: { url: string; apiKeyEnv: string; launch: { args: string[]; env: Record<string, string> } }[] }).models[1]!;
    expect(large.launch.args).toEqual(['serve', '--api-key', REDACTED, `--token=${REDACTED}`, '--port', '8001']);
    expect(large.launch.env).toEqual({ HF_TOKEN: REDACTED, ASCEND_VISIBLE_DEVICES: REDACTED });
    expect(large.url).toBe(`http://user:${REDACTED}@127.0.0.1:8001/v1`);
    expect(large.apiKeyEnv).toBe('DUET_KEY');
    expect(redactSecrets({ headers: { Authorization: 'Bearer x' }, apiKey: 'k' })).toEqual({ headers: { Authorization: REDACTED }, apiKey: REDACTED });
  });

  it('names the default log by local start time and profile', () => {
    expect(defaultLogPath('ascend 910b/fast', new Date(2026, 0, 2, 3, 4, 5), '/repo')).toBe('/repo/logs/20260102-030405-ascend-910b-fast.jsonl');
  });
});

describe('openSessionLog', () => {
  it('writes the header then one event per line, mode 0600, appending', async () => {
    const path = join(tmp(), 'nested', 'run.jsonl');
    const log = await openSessionLog(path, header());
    expect(statSync(path).mode & 0o777).toBe(0o600);
    log.write(warning(1));
    log.write(warning(2));
    await log.close();
    log.write(warning(3));
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.kind ?? l.message)).toEqual(['duet-session', 'event 1', 'event 2']);
    expect(lines[0]).toMatchObject({ schema: 1, duetVersion: '0.1.0', models: { A: { synthetic: true }, B: { synthetic: false } }, dataset: { hash: 'abc', questions: 10 } });
  });

  it('flushes on its own at least once a second', async () => {
    const path = join(tmp(), 'run.jsonl');
    const log = await openSessionLog(path, header(), { flushIntervalMs: 100 });
    log.write(warning(1));
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 350));
    expect(readFileSync(path, 'utf8')).toContain('event 1');
    await log.close();
  });

  it('turns a full disk into one error message and stops writing, without throwing', async () => {
    const errors: string[] = [];
    const log = await openSessionLog('/dev/full', header(), { onError: (m) => errors.push(m) });
    log.write(warning(1));
    await log.flush();
    await log.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/session log \/dev\/full: .*ENOSPC.*no longer writing/);
    expect(log.failed).toBe(true);
  });

  it('refuses a path it cannot open with one line naming the flags', async () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, '');
    await expect(openSessionLog(join(file, 'run.jsonl'), header())).rejects.toThrow(/session log: cannot open .*a-file\/run.jsonl for writing \(E[A-Z]+: .*\); choose another --log PATH or pass --no-log/);
  });

  it('loses at most about the last second when the process is killed with SIGKILL', async () => {
    const path = join(tmp(), 'killed.jsonl');
    const writer = resolve('source/core/session/writer.ts');
    // The child writes an event every 20 ms with its wall time, and reports each one on stdout.
    const script = `
      import { openSessionLog } from ${JSON.stringify(writer)};
      const log = await openSessionLog(${JSON.stringify(path)}, { kind: 'duet-session', schema: 1 });
      let n = 0;
      setInterval(() => { const t = Date.now(); log.write({ type: 'warning', t, message: String(n++) }); process.stdout.write(t + '\\n'); }, 20);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lastWritten = 0;
    let written = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().trim().split('\n')) {
        lastWritten = Number(line);
        written++;
      }
    });
    await new Promise<void>((done) => {
      const poll = setInterval(() => {
        if (written >= 120) {
          clearInterval(poll);
          done();
        }
      }, 10);
    });
    child.kill('SIGKILL');
    await new Promise((done) => child.on('exit', done));
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind?: string; t?: number });
    expect(lines[0]!.kind).toBe('duet-session');
    const lastSaved = lines.at(-1)!.t!;
    expect(lastWritten - lastSaved).toBeLessThanOrEqual(1000 + 100);
    expect(lines.length - 1).toBeGreaterThan(written - 60);
  }, 20_000);
});
