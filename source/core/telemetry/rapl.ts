/**
 * CPU package power from Linux RAPL counters: /sys/class/powercap/intel-rapl:N/energy_uj
 * counts microjoules and wraps to 0 after max_energy_range_uj; power is the difference of
 * two readings over the clock's interval. Only top-level package zones are read: their
 * subzones (core, uncore, dram) and `psys` overlap them and would count energy twice.
 */
import { join } from 'node:path';
import { SourceUnavailableError } from './runner.js';
import type { DeviceReading } from './sample.js';
import type { SourceSample, TelemetryDeps, TelemetrySource } from './source.js';

/** Energy used between two counter readings, across at most one wrap-around. */
export function raplDeltaUj(previousUj: number, currentUj: number, maxRangeUj: number): number {
  return currentUj >= previousUj ? currentUj - previousUj : maxRangeUj - previousUj + currentUj;
}

/** Average power in W between two readings taken `intervalMs` apart. */
export function raplPowerW(previousUj: number, currentUj: number, maxRangeUj: number, intervalMs: number): number | undefined {
  if (!(intervalMs > 0)) return undefined;
  return raplDeltaUj(previousUj, currentUj, maxRangeUj) / intervalMs / 1000;
}

interface Zone {
  dir: string;
  id: string;
  name: string;
  maxRangeUj: number;
  last?: { energyUj: number; t: number };
}

function code(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

export function raplSource(deps: Pick<TelemetryDeps, 'clock' | 'readFile' | 'readdir' | 'powercapRoot'>): TelemetrySource {
  let zones: Zone[] | undefined;

  async function read(path: string): Promise<number> {
    let text: string;
    try {
      text = await deps.readFile(path);
    } catch (error) {
      if (code(error) === 'EACCES' || code(error) === 'EPERM') {
        throw new SourceUnavailableError(`RAPL counter ${path} is not readable (permission denied; since Linux 5.10 only root may read energy_uj)`);
      }
      throw error;
    }
    const value = Number(text.trim());
    if (!Number.isFinite(value)) throw new Error(`RAPL counter ${path} holds "${text.trim()}", not a number`);
    return value;
  }

  async function discover(): Promise<Zone[]> {
    let entries: string[];
    try {
      entries = await deps.readdir(deps.powercapRoot);
    } catch {
      entries = [];
    }
    const found: Zone[] = [];
    for (const entry of entries.filter((e) => /^intel-rapl:\d+$/.test(e)).sort()) {
      const dir = join(deps.powercapRoot, entry);
      const name = (await deps.readFile(join(dir, 'name')).catch(() => entry)).trim();
      if (!/^package/.test(name) && name !== entry) continue;
      const maxRangeUj = await read(join(dir, 'max_energy_range_uj'));
      found.push({ dir, id: name === entry ? entry : `cpu-${name}`, name, maxRangeUj });
    }
    if (found.length === 0) {
      throw new SourceUnavailableError(`no RAPL package counters under ${deps.powercapRoot} (no Intel/AMD RAPL, or the powercap driver is not loaded)`);
    }
    return found;
  }

  async function sample(): Promise<SourceSample> {
    zones ??= await discover();
    const devices: DeviceReading[] = [];
    for (const zone of zones) {
      const energyUj = await read(join(zone.dir, 'energy_uj'));
      const t = deps.clock.now();
      const reading: DeviceReading = { id: zone.id, name: zone.name };
      if (zone.last) {
        const powerW = raplPowerW(zone.last.energyUj, energyUj, zone.maxRangeUj, t - zone.last.t);
        if (powerW !== undefined) reading.powerW = powerW;
      }
      zone.last = { energyUj, t };
      devices.push(reading);
    }
    return { devices };
  }

  return {
    name: 'rapl',
    // Reading once also seeds the counters, so that the first real sample has a power.
    probe: async () => {
      await sample();
    },
    sample,
  };
}
