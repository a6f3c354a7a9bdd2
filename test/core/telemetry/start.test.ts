import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../source/core/clock.js';
import type { RunEvent } from '../../../source/core/events.js';
import { telemetrySchema } from '../../../source/core/profile/schema.js';
import { npuSmiSource } from '../../../source/core/telemetry/npu-smi.js';
import type { CommandResult, CommandRunner } from '../../../source/core/telemetry/runner.js';
import { SourceUnavailableError } from '../../../source/core/telemetry/runner.js';
import { detectSources, startTelemetry } from '../../../source/core/telemetry/start.js';

const fixture = (name: string) => readFileSync(path.resolve(import.meta.dirname, '../../fixtures/npu-smi', name), 'utf8');
const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', exitCode: 0, timedOut: false });

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('npuSmiSource', () => {
  it('adds -t power only for a card whose table has no power, keeping MCU board power as its own device', async () => {
    const calls: string[] = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, ...args].join(' '));
      // Die 0 of card 0 loses its power figure, so neither card shows any power.
      if (args.length === 1) return ok(fixture('a3-info.txt').replace('182.0', 'NA   '));
      return ok(args.includes('2') ? fixture('empty.txt') : fixture('310p-power-mcu.txt'));
    };
    const config = telemetrySchema.parse({ source: 'npu-smi', npuSmiPath: '/opt/npu-smi' });
    const source = npuSmiSource(config, { run });
    const { devices } = await source.sample();
    expect(calls).toEqual(['/opt/npu-smi info', '/opt/npu-smi info -t power -i 0', '/opt/npu-smi info -t power -i 2']);
    expect(devices.map((d) => d.id)).toEqual(['npu0.0', 'npu0.1', 'npu2.0', 'npu2.1', 'npu0.mcu']);
    expect(devices.find((d) => d.id === 'npu0.mcu')).toEqual({ id: 'npu0.mcu', card: 0, name: 'MCU', powerW: 22.5 });
    expect(devices[0]).toEqual({
      id: 'npu0.0', card: 0, chip: 0, name: 'Ascend910', health: 'OK', utilPct: 37, memUsedMiB: 59807, memTotalMiB: 65536, tempC: 36,
      processes: [{ pid: 1774110, name: 'VLLMWorker_PP', memMiB: 56684 }],
    });
    // Card 2's -t power had nothing: it is not asked again; card 0's is.
    await source.sample();
    expect(calls.slice(3)).toEqual(['/opt/npu-smi info', '/opt/npu-smi info -t power -i 0']);
  });

  it('filters by the configured card ids', async () => {
    const config = telemetrySchema.parse({ source: 'npu-smi', devices: [2] });
    const { devices } = await npuSmiSource(config, { run: async () => ok(fixture('a3-info.txt')) }).sample();
    expect(devices.map((d) => d.id)).toEqual(['npu2.0', 'npu2.1']);
  });

  it('turns failures into one line: driver error, garbage, empty, timeout, missing tool', async () => {
    const config = telemetrySchema.parse({ source: 'npu-smi', timeoutMs: 1500 });
    const sampleWith = (result: CommandResult) => npuSmiSource(config, { run: async () => result }).sample();
    await expect(sampleWith({ stdout: fixture('error-dcmi.txt'), stderr: '', exitCode: 255, timedOut: false })).rejects.toThrow(
      'npu-smi info failed (exit 255): dcmi module initialize failed. ret is -8005',
    );
    await expect(sampleWith(ok('Segmentation fault\n%%%%\n'))).rejects.toThrow('npu-smi info printed no NPU table: Segmentation fault');
    await expect(sampleWith(ok(fixture('empty.txt')))).rejects.toThrow('npu-smi info printed no NPU table: empty output');
    await expect(sampleWith({ stdout: '', stderr: '', timedOut: true })).rejects.toThrow('npu-smi info timed out after 1500 ms');
    const missing = sampleWith({ stdout: '', stderr: '', timedOut: false, spawnError: 'ENOENT' });
    await expect(missing).rejects.toBeInstanceOf(SourceUnavailableError);
    await expect(missing).rejects.toThrow('npu-smi not found (looked for "npu-smi"; set telemetry.npuSmiPath in the profile, or --npu-smi for duet telemetry)');
  });
});

describe('detectSources', () => {
  it('auto skips a failing npu-smi and a missing nvidia-smi, says why, and always adds system', async () => {
    const config = telemetrySchema.parse({ source: 'auto', intervalMs: 500 });
    const detected = await detectSources(config, {
      clock: new ManualClock(),
      run: async (file) => (file === 'npu-smi' ? { stdout: 'dcmi module initialize failed. ret is -8005\n', stderr: '', exitCode: 1, timedOut: false } : { stdout: '', stderr: '', timedOut: false, spawnError: 'ENOENT' }),
      readFile: async () => {
        throw new Error('no file');
      },
      readdir: async () => [],
      fetch,
      powercapRoot: '/none',
      procRoot: '/none',
      pids: () => [],
      hostLoad: async () => ({ cpuPct: 12.5, memUsedMiB: 1000, memTotalMiB: 4000 }),
    });
    expect(detected.sources.map((s) => s.name)).toEqual(['system']);
    expect(detected.statuses).toEqual([
      { source: 'npu-smi', state: 'unavailable', reason: 'npu-smi info failed (exit 1): dcmi module initialize failed. ret is -8005', intervalMs: 500 },
      { source: 'nvidia-smi', state: 'unavailable', reason: 'nvidia-smi not found (looked for "nvidia-smi"; set telemetry.nvidiaSmiPath)', intervalMs: 500 },
      { source: 'rapl', state: 'unavailable', reason: 'no RAPL package counters under /none (no Intel/AMD RAPL, or the powercap driver is not loaded)', intervalMs: 500 },
      { source: 'system', state: 'ok', intervalMs: 500 },
    ]);
    expect(await detected.sources[0]!.sample()).toEqual({ devices: [{ id: 'system', name: 'host', utilPct: 12.5, memUsedMiB: 1000, memTotalMiB: 4000 }] });
  });
});

describe('startTelemetry', () => {
  it('marks a hung npu-smi degraded, never runs a second one meanwhile, and recovers', async () => {
    const config = telemetrySchema.parse({ source: 'npu-smi', intervalMs: 20, timeoutMs: 30 });
    const clock = new ManualClock(5000);
    const script: Array<'ok' | 'hang'> = ['ok', 'ok', 'hang', 'ok'];
    let calls = 0;
    let active = 0;
    let maxActive = 0;
    let release: (() => void) | undefined;
    const run: CommandRunner = async () => {
      const step = script[Math.min(calls, script.length - 1)];
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      if (step === 'hang') await new Promise<void>((resolve) => (release = resolve));
      active--;
      return ok(fixture('950-info.txt'));
    };
    const events: RunEvent[] = [];
    const handle = await startTelemetry(config, { clock, emit: (e) => events.push(e), deps: { run } });
    const statuses = () => events.flatMap((e) => (e.type === 'telemetry-status' ? [e.status.state + (e.status.reason ? `: ${e.status.reason}` : '')] : []));

    await waitFor(() => statuses().includes('degraded: npu-smi: no answer within 60 ms'), 'the degraded status');
    const callsWhileHung = calls;
    await new Promise((r) => setTimeout(r, 100)); // five intervals go by
    expect(calls).toBe(callsWhileHung);
    expect(active).toBe(1);
    release!();
    await waitFor(() => statuses().length === 3, 'the recovery');
    await handle.stop();

    expect(statuses()).toEqual(['ok', 'degraded: npu-smi: no answer within 60 ms', 'ok']);
    expect(maxActive).toBe(1);
    expect(handle.status()).toEqual([{ source: 'npu-smi', state: 'ok', intervalMs: 20 }]);
    const samples = events.filter((e) => e.type === 'telemetry');
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples[0]).toMatchObject({ t: 5000, sample: { source: 'npu-smi', t: 5000 } });
    expect(samples[0]!.type === 'telemetry' && samples[0]!.sample.devices.map((d) => [d.id, d.powerW])).toEqual([
      ['npu0.0', 195.6],
      ['npu1.0', 310.5],
    ]);
    const after = calls;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toBe(after); // stopped means stopped
  });

  it('a failing npu-smi is degraded with its error line and retried at the next interval', async () => {
    const config = telemetrySchema.parse({ source: 'npu-smi', intervalMs: 15, timeoutMs: 1000 });
    let calls = 0;
    const run: CommandRunner = async () => (++calls <= 3 ? { stdout: fixture('error-dcmi.txt'), stderr: '', exitCode: 255, timedOut: false } : ok(fixture('a3-info.txt')));
    const events: RunEvent[] = [];
    const handle = await startTelemetry(config, { clock: new ManualClock(), emit: (e) => events.push(e), deps: { run } });
    await waitFor(() => events.some((e) => e.type === 'telemetry'), 'a sample after the failures');
    await handle.stop();
    const statuses = events.filter((e) => e.type === 'telemetry-status').map((e) => e.type === 'telemetry-status' && e.status);
    expect(statuses).toEqual([
      { source: 'npu-smi', state: 'degraded', reason: 'npu-smi info failed (exit 255): dcmi module initialize failed. ret is -8005', intervalMs: 15 },
      { source: 'npu-smi', state: 'ok', intervalMs: 15 },
    ]);
    expect(calls).toBeGreaterThanOrEqual(4);
  });
});
