import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleToJson } from '../../source/commands/telemetry.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/npu-smi');
const fake = path.join(fixtures, 'fake-npu-smi.mjs');

function duet(args: string[], env: Record<string, string>) {
  return execa('node', ['bin/duet.js', 'telemetry', ...args], { cwd: repoRoot, env, reject: false, timeout: 20_000 });
}

describe('duet telemetry --source npu-smi with a fake npu-smi', () => {
  // Spawning duet costs seconds on a busy machine: four spawns, the modes run in parallel.
  it('healthy: prints one JSON sample set with absent readings left out', { timeout: 60_000 }, async () => {
    const result = await duet(['--source', 'npu-smi', '--npu-smi', fake, '--once', '--json'], {
      FAKE_NPU_SMI_MODE: 'healthy',
      FAKE_NPU_SMI_INFO: path.join(fixtures, 'a3-info.txt'),
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const sample = JSON.parse(lines[0]!) as { source: string; time: string; devices: unknown[] };
    expect(sample.source).toBe('npu-smi');
    expect(Number.isNaN(Date.parse(sample.time))).toBe(false);
    expect(sample.devices).toEqual([
      { id: 'npu0.0', card: 0, chip: 0, name: 'Ascend910', health: 'OK', powerW: 182, utilPct: 37, memUsedMiB: 59807, memTotalMiB: 65536, tempC: 36, processes: [{ pid: 1774110, name: 'VLLMWorker_PP', memMiB: 56684 }] },
      { id: 'npu0.1', card: 0, chip: 1, name: 'Ascend910', health: 'OK', utilPct: 12, memUsedMiB: 3402, memTotalMiB: 65536, tempC: 35, processes: [{ pid: 1777209, name: 'python3', memMiB: 120 }] },
      { id: 'npu2.0', card: 2, chip: 0, name: 'Ascend910', health: 'Warning', tempC: 41, processes: [] },
      { id: 'npu2.1', card: 2, chip: 1, name: 'Ascend910', health: 'OK', utilPct: 0, memUsedMiB: 3130, memTotalMiB: 65536, processes: [] },
    ]);
  });

  it('slow, failing and garbage: one clear line and exit 1', { timeout: 60_000 }, async () => {
    const [slow, failing, garbage] = await Promise.all([
      duet(['--source', 'npu-smi', '--npu-smi', fake, '--once', '--json', '--timeout', '700ms'], { FAKE_NPU_SMI_MODE: 'slow' }),
      duet(['--source', 'npu-smi', '--npu-smi', fake, '--once', '--json'], { FAKE_NPU_SMI_MODE: 'failing' }),
      duet(['--source', 'npu-smi', '--npu-smi', fake, '--once'], { FAKE_NPU_SMI_MODE: 'garbage' }),
    ]);
    expect([slow.exitCode, slow.stdout, slow.stderr]).toEqual([1, '', 'duet: telemetry source npu-smi failed: npu-smi info timed out after 700 ms']);
    expect([failing.exitCode, failing.stdout, failing.stderr]).toEqual([
      1,
      '',
      'duet: telemetry source npu-smi failed: npu-smi info failed (exit 255): dcmi module initialize failed. ret is -8005',
    ]);
    expect([garbage.exitCode, garbage.stdout, garbage.stderr]).toEqual([
      1,
      '',
      'duet: telemetry source npu-smi failed: npu-smi info printed no NPU table: Segmentation fault in libdrvdsmi_host.so (core dumped?)',
    ]);
  });
});

describe('sampleToJson', () => {
  it('keeps the documented keys in order and leaves absent ones out', () => {
    const json = sampleToJson({ source: 'rapl', devices: [{ id: 'cpu-package-0', name: 'package-0', powerW: 12.5 }] }, new Date('2026-01-02T03:04:05.678Z'));
    expect(JSON.stringify(json)).toBe('{"source":"rapl","time":"2026-01-02T03:04:05.678Z","devices":[{"id":"cpu-package-0","name":"package-0","powerW":12.5}]}');
  });
});
