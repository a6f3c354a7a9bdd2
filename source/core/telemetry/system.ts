/**
 * The system source: host CPU load and memory (systeminformation) and the RSS/CPU of
 * given pids. Pids are read from /proc/<pid>/{stat,status}: systeminformation's
 * processes() lists every process on the host (~2 s here), far too slow per interval.
 * Carries no power.
 */
import { join } from 'node:path';
import type { DeviceReading } from './sample.js';
import type { HostLoad, SourceSample, TelemetryDeps, TelemetrySource } from './source.js';


/** Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat. */
const clockTicksPerSecond = 100;

type ProcessEntry = NonNullable<DeviceReading['processes']>[number];

/** Parses /proc/<pid>/stat: the name is in parentheses (and may hold spaces). */
export function parseProcStat(text: string): { name: string; cpuTicks: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { name: text.slice(open + 1, close), cpuTicks: utime + stime };
}

export function parseVmRssMiB(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s*kB/m.exec(status);
  return match ? Math.round(Number(match[1]) / 1024) : undefined;
}

export function systemSource(
  deps: Pick<TelemetryDeps, 'clock' | 'readFile' | 'procRoot' | 'pids' | 'hostLoad'>,
): TelemetrySource {
  const lastTicks = new Map<number, { ticks: number; t: number }>();

  async function processEntry(pid: number): Promise<ProcessEntry | undefined> {
    try {
      const stat = parseProcStat(await deps.readFile(join(deps.procRoot, String(pid), 'stat')));
      const memMiB = parseVmRssMiB(await deps.readFile(join(deps.procRoot, String(pid), 'status')));
      const t = deps.clock.now();
      const entry: ProcessEntry = { pid };
      if (stat) {
        entry.name = stat.name;
        const last = lastTicks.get(pid);
        if (last && t > last.t) entry.cpuPct = ((stat.cpuTicks - last.ticks) / clockTicksPerSecond / ((t - last.t) / 1000)) * 100;
        lastTicks.set(pid, { ticks: stat.cpuTicks, t });
      }
      if (memMiB !== undefined) entry.memMiB = memMiB;
      return entry;
    } catch {
      // The process ended (or /proc does not exist here): report what is known.
      if (pid !== process.pid) return undefined;
      return { pid, memMiB: Math.round(process.memoryUsage().rss / 1048576) };
    }
  }

  async function sample(): Promise<SourceSample> {
    const load = await deps.hostLoad();
    const processes = (await Promise.all([...new Set(deps.pids())].map(processEntry))).filter((p): p is ProcessEntry => p !== undefined);
    const host: DeviceReading = { id: 'system', name: 'host' };
    if (load.cpuPct !== undefined) host.utilPct = load.cpuPct;
    if (load.memUsedMiB !== undefined) host.memUsedMiB = load.memUsedMiB;
    if (load.memTotalMiB !== undefined) host.memTotalMiB = load.memTotalMiB;
    if (processes.length > 0) host.processes = processes;
    return { devices: [host] };
  }

  return { name: 'system', probe: async () => {}, sample };
}

/** Host load via systeminformation; memory "used" excludes buffers and page cache. */
export async function systemInformationLoad(): Promise<HostLoad> {
  const si = await import('systeminformation');
  const [load, mem] = await Promise.all([si.currentLoad(), si.mem()]);
  const result: HostLoad = {};
  if (Number.isFinite(load.currentLoad)) result.cpuPct = Math.round(load.currentLoad * 10) / 10;
  if (mem.total > 0) {
    result.memTotalMiB = Math.round(mem.total / 1048576);
    result.memUsedMiB = Math.round(mem.active / 1048576);
  }
  return result;
}
