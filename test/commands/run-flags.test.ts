import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../source/core/errors.js';
import { parseProfile } from '../../source/core/profile/loader.js';
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

describe('the field\'s spellings and the profile fields as flags', () => {
  it('vLLM/GuideLLM aliases: --request-rate, --num-prompts, --max-seconds; --max-concurrency caps a rate or sets a closed loop', () => {
    expect(parseRunFlags({ requestRate: '4', maxConcurrency: '16', numPrompts: '200', maxSeconds: '90' }).overrides).toEqual({ rate: 4, maxConcurrency: 16, limit: 200, duration: '90s' });
    expect(parseRunFlags({ maxConcurrency: '8' }).overrides).toEqual({ concurrency: 8 });
    expect(parseRunFlags({ rate: '2', burstiness: '0.5' }).overrides).toEqual({ rate: 2, burstiness: 0.5 });
  });

  it('the common profile fields: prompt budget, output cap, weight, cascade threshold, SLOs', () => {
    expect(parseRunFlags({ inputTokens: '256', maxNewTokens: '32', weight: '0.25', cascadeThreshold: '-2.5', sloTtftMs: '500', sloTpotMs: '50', sloE2eMs: '4000' }).overrides).toEqual({
      inputTokens: 256, maxNewTokens: 32, weight: 0.25, cascadeThreshold: -2.5, sloTtftMs: 500, sloTpotMs: 50, sloE2eMs: 4000,
    });
  });

  it.each([
    [{ requestRate: '2', rate: '3' }, '--request-rate and --rate: the same setting, give one'],
    [{ numPrompts: '5', limit: '6' }, '--num-prompts and --limit: the same setting, give one'],
    [{ maxSeconds: 'soon' }, '--max-seconds: expected a positive number (seconds), got "soon"'],
    [{ maxConcurrency: '4', concurrency: '2' }, '--max-concurrency and --concurrency: give one (with --rate, --max-concurrency caps the open loop)'],
    [{ weight: '1.5' }, '--weight: expected a share of traffic to A from 0 to 1, got "1.5"'],
    [{ cascadeThreshold: 'low' }, '--cascade-threshold: expected a mean log-probability such as -1.5, got "low"'],
    [{ sloE2eMs: '-1' }, '--slo-e2e-ms: expected a positive number (milliseconds), got "-1"'],
  ])('refuses %j with one line', (raw, message) => {
    expect(() => parseRunFlags(raw)).toThrow(new UsageError(message));
  });

  it('the overrides land in the profile where the YAML would put them; a cap or burstiness without a rate is refused', () => {
    const yaml = 'models:\n  - { label: a, backend: onnx, path: a }\n  - { label: b, backend: onnx, path: b }\nworkload: { dataset: d.json }\n';
    const p = parseProfile(yaml, 'p.yaml', parseRunFlags({ requestRate: '3', maxConcurrency: '5', burstiness: '0.7', inputTokens: '300', maxNewTokens: '20', weight: '0.3', cascadeThreshold: '-1', sloTtftMs: '800', sloE2eMs: '3000' }).overrides);
    expect(p.workload.load).toEqual({ mode: 'open', rate: 3, burstiness: 0.7, maxConcurrency: 5 });
    expect([p.workload.inputTokens, p.workload.maxNewTokens, p.scheduler.weight, p.scheduler.cascadeThreshold]).toEqual([300, 20, 0.3, -1]);
    expect(p.slo).toMatchObject({ ttftMs: 800, e2eMs: 3000 });
    expect(() => parseProfile(yaml, 'p.yaml', parseRunFlags({ burstiness: '0.5' }).overrides)).toThrow('--burstiness: only with an open loop (--rate, or workload.load.mode: open in the profile)');
  });
});

describe('unknown flags and commands (process): one "duet: <command>:" prefix and a did-you-mean', () => {
  const run = (args: string[]) => promisify(execFile)(process.execPath, ['bin/duet.js', ...args]).then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
  const lines = (stderr: string) => stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));

  it('a typo names the flag meant, and exits 2', async () => {
    const result = await run(['run', '--concurency', '3']);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual(['duet: run: unknown flag --concurency (did you mean --concurrency?); run duet run --help for the list']);
    const command = await run(['repot', 'x.jsonl']);
    expect(command.code).toBe(2);
    expect(lines(command.stderr)).toEqual(['duet: unknown command "repot" (did you mean report?); run duet --help for the list']);
  }, 20_000);
});
