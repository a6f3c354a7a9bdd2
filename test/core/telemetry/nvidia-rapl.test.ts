import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../source/core/clock.js';
import { parseNvidiaSmi } from '../../../source/core/telemetry/nvidia-smi-parse.js';
import { raplDeltaUj, raplPowerW, raplSource } from '../../../source/core/telemetry/rapl.js';
import { SourceUnavailableError } from '../../../source/core/telemetry/runner.js';

describe('parseNvidiaSmi', () => {
  it('reads each GPU line; [N/A] and [Not Supported] stay absent; a comma in the name survives', () => {
    const text = '0, NVIDIA A100-SXM4-40GB, 55.12, 3, 1024, 40960, 33\n1, Tesla T4, [N/A], [Not Supported], 5, 15360, 41\n2, Odd, Name, 70.5, 99, 100, 200, [N/A]\n\n';
    expect(parseNvidiaSmi(text)).toEqual([
      { id: 'gpu0', card: 0, name: 'NVIDIA A100-SXM4-40GB', powerW: 55.12, utilPct: 3, memUsedMiB: 1024, memTotalMiB: 40960, tempC: 33 },
      { id: 'gpu1', card: 1, name: 'Tesla T4', memUsedMiB: 5, memTotalMiB: 15360, tempC: 41 },
      { id: 'gpu2', card: 2, name: 'Odd, Name', powerW: 70.5, utilPct: 99, memUsedMiB: 100, memTotalMiB: 200 },
    ]);
  });

  it('ignores an error message instead of inventing a GPU', () => {
    expect(parseNvidiaSmi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n')).toEqual([]);
  });
});

describe('RAPL arithmetic', () => {
  it('subtracts plainly without a wrap and adds the range on a wrap', () => {
    expect(raplDeltaUj(1_000_000, 3_500_000, 262_143_328_850)).toBe(2_500_000);
    // 262143328850 - 262143000000 = 328850 before the wrap, plus 171150 after it.
    expect(raplDeltaUj(262_143_000_000, 171_150, 262_143_328_850)).toBe(500_000);
    // 500000 uJ in 250 ms = 2 J/s.
    expect(raplPowerW(262_143_000_000, 171_150, 262_143_328_850, 250)).toBe(2);
    expect(raplPowerW(1, 2, 10, 0)).toBeUndefined();
  });
});

function fakePowercap(zones: Record<string, { name: string; energy: number; max: number }>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'duet-rapl-'));
  for (const [dir, zone] of Object.entries(zones)) {
    mkdirSync(path.join(root, dir));
    writeFileSync(path.join(root, dir, 'name'), `${zone.name}\n`);
    writeFileSync(path.join(root, dir, 'energy_uj'), `${zone.energy}\n`);
    writeFileSync(path.join(root, dir, 'max_energy_range_uj'), `${zone.max}\n`);
  }
  return root;
}

describe('raplSource on a fake sysfs tree', () => {
  const fsDeps = { readFile: (p: string) => readFile(p, 'utf8'), readdir: (p: string) => readdir(p) };

  it('reads package zones only, gives power from successive readings and survives a wrap', async () => {
    const root = fakePowercap({
      'intel-rapl:0': { name: 'package-0', energy: 999_000_000, max: 1_000_000_000 },
      'intel-rapl:0:0': { name: 'core', energy: 5, max: 1_000_000_000 },
      'intel-rapl:1': { name: 'psys', energy: 7, max: 1_000_000_000 },
    });
    const clock = new ManualClock(10_000);
    const source = raplSource({ clock, powercapRoot: root, ...fsDeps });
    expect(await source.sample()).toEqual({ devices: [{ id: 'cpu-package-0', name: 'package-0' }] });
    clock.advance(500);
    // 1 000 000 uJ to the wrap, then 14 000 000 uJ: 15 J in 0.5 s = 30 W.
    writeFileSync(path.join(root, 'intel-rapl:0', 'energy_uj'), '14000000\n');
    expect(await source.sample()).toEqual({ devices: [{ id: 'cpu-package-0', name: 'package-0', powerW: 30 }] });
    clock.advance(1000);
    writeFileSync(path.join(root, 'intel-rapl:0', 'energy_uj'), '26000000\n');
    expect((await source.sample()).devices[0]!.powerW).toBe(12);
  });

  it('is unavailable, with the reason, when the tree is missing or the counters are root-only', async () => {
    const clock = new ManualClock();
    const missing = raplSource({ clock, powercapRoot: '/nonexistent/powercap', ...fsDeps });
    await expect(missing.probe()).rejects.toThrow(SourceUnavailableError);
    await expect(missing.probe()).rejects.toThrow('no RAPL package counters under /nonexistent/powercap');

    const root = fakePowercap({ 'intel-rapl:0': { name: 'package-0', energy: 1, max: 10 } });
    const denied = raplSource({
      clock,
      powercapRoot: root,
      readdir: fsDeps.readdir,
      readFile: async (p) => {
        if (p.endsWith('energy_uj') && !p.endsWith('max_energy_range_uj')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        return fsDeps.readFile(p);
      },
    });
    const error = await denied.probe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as Error).message).toBe(`RAPL counter ${path.join(root, 'intel-rapl:0', 'energy_uj')} is not readable (permission denied; since Linux 5.10 only root may read energy_uj)`);
  });
});
