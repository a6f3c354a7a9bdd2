import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../source/core/errors.js';
import { parseRunFlags } from '../../source/core/run/flags.js';

describe('parseRunFlags', () => {
  it('turns valid flags into profile overrides', () => {
    expect(
      parseRunFlags({ concurrency: '8', limit: '40', warmup: '0', seed: '-3', duration: '1m30s', policy: 'cascade', promptMode: 'exact', telemetry: 'none', shuffle: true, dataset: 'd.json', log: 'x.jsonl', headless: true }),
    ).toEqual({
      headless: true,
      json: false,
      log: 'x.jsonl',
      overrides: { concurrency: 8, limit: 40, warmup: 0, seed: -3, duration: '1m30s', policy: 'cascade', promptMode: 'exact', telemetrySource: 'none', shuffle: true, dataset: 'd.json' },
    });
    expect(parseRunFlags({ rate: '2.5', json: true, log: false })).toEqual({ headless: true, json: true, log: false, overrides: { rate: 2.5 } });
  });

  it.each([
    [{ concurrency: '0' }, '--concurrency: expected a positive whole number, got "0"'],
    [{ concurrency: '2.5' }, '--concurrency: expected a positive whole number, got "2.5"'],
    [{ rate: '0' }, '--rate: expected a positive number (questions per second), got "0"'],
    [{ rate: 'fast' }, '--rate: expected a positive number (questions per second), got "fast"'],
    [{ rate: '1', concurrency: '2' }, '--concurrency and --rate: choose one (closed loop or open loop)'],
    [{ limit: '-1' }, '--limit: expected a positive whole number, got "-1"'],
    [{ warmup: 'x' }, '--warmup: expected a whole number >= 0, got "x"'],
    [{ seed: '1.5' }, '--seed: expected a whole number, got "1.5"'],
    [{ duration: '5' }, '--duration: expected a duration like 500ms, 1s, 2m or 1m30s, got "5"'],
    [{ duration: '0s' }, '--duration: expected a positive duration like 30s or 5m, got "0s"'],
    [{ policy: 'fastest' }, '--policy: expected one of round-robin, shortest-queue, weighted, small-only, large-only, mirror, slo, cascade, got "fastest"'],
    [{ promptMode: 'min' }, '--prompt-mode: expected max or exact, got "min"'],
    [{ telemetry: 'gpu' }, '--telemetry: expected one of auto, npu-smi, nvidia-smi, rapl, prometheus, system, none, got "gpu"'],
    [{ log: '' }, '--log: expected a file path'],
  ])('refuses %j with one line, as a usage error', (raw, message) => {
    let error: unknown;
    try {
      parseRunFlags(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
    expect((error as UsageError).exitCode).toBe(2);
  });
});

describe('duet run (process)', () => {
  it('exits 2 with one line for a malformed flag', async () => {
    const result = await promisify(execFile)(process.execPath, ['bin/duet.js', 'run', '--headless', '--concurrency', 'lots']).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in result ? result.code : 0).toBe(2);
    expect(result.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'))).toEqual(['duet: --concurrency: expected a positive whole number, got "lots"']);
  }, 20_000);
});
