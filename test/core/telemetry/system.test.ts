import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../source/core/clock.js';
import { parseProcStat, parseVmRssMiB, systemSource } from '../../../source/core/telemetry/system.js';

describe('system source', () => {
  it('parses /proc/<pid>/stat with a space and a parenthesis in the name, and VmRSS', () => {
    // utime (field 14) = 150, stime (field 15) = 50
    expect(parseProcStat('4321 (vllm (worker)) S 1 4321 4321 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 9 0')).toEqual({ name: 'vllm (worker)', cpuTicks: 200 });
    expect(parseVmRssMiB('Name:\tpython3\nVmRSS:\t  2097152 kB\nThreads: 9\n')).toBe(2048);
  });

  it('reports host load and the RSS and CPU share of each pid, skipping pids that ended', async () => {
    const clock = new ManualClock(0);
    let ticks = 1000;
    const files: Record<string, () => string> = {
      '/p/4321/stat': () => `4321 (python3) S 1 1 1 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0`,
      '/p/4321/status': () => 'VmRSS:\t1048576 kB\n',
    };
    const source = systemSource({
      clock,
      procRoot: '/p',
      pids: () => [4321, 99999],
      readFile: async (p) => {
        const file = files[p];
        if (!file) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return file();
      },
      hostLoad: async () => ({ cpuPct: 40, memUsedMiB: 3000, memTotalMiB: 8000 }),
    });
    expect(await source.sample()).toEqual({
      devices: [{ id: 'system', name: 'host', utilPct: 40, memUsedMiB: 3000, memTotalMiB: 8000, processes: [{ pid: 4321, name: 'python3', memMiB: 1024 }] }],
    });
    clock.advance(2000);
    ticks += 150; // 1.5 s of CPU in 2 s = 75 %
    const { devices } = await source.sample();
    expect(devices[0]!.processes).toEqual([{ pid: 4321, name: 'python3', memMiB: 1024, cpuPct: 75 }]);
    expect(devices[0]).not.toHaveProperty('powerW');
  });
});
