import { readdir, readFile } from 'node:fs/promises';
import { systemClock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { TelemetryProfile } from '../profile/schema.js';
import { npuSmiSource } from './npu-smi.js';
import { nvidiaSmiSource } from './nvidia-smi.js';
import { prometheusSource } from './prometheus.js';
import { raplSource } from './rapl.js';
import { execaRunner, SourceUnavailableError } from './runner.js';
import type { TelemetrySourceName, TelemetryStatus } from './sample.js';
import type { TelemetryDeps, TelemetrySource } from './source.js';
import { systemInformationLoad, systemSource } from './system.js';

export function defaultTelemetryDeps(overrides: Partial<TelemetryDeps> = {}): TelemetryDeps {
  return {
    clock: systemClock,
    run: execaRunner,
    readFile: (path) => readFile(path, 'utf8'),
    readdir: (path) => readdir(path),
    fetch: globalThis.fetch,
    powercapRoot: '/sys/class/powercap',
    procRoot: '/proc',
    pids: () => [process.pid],
    hostLoad: systemInformationLoad,
    ...overrides,
  };
}

export function createSource(name: TelemetrySourceName, config: TelemetryProfile, deps: TelemetryDeps): TelemetrySource {
  switch (name) {
    case 'npu-smi':
      return npuSmiSource(config, deps);
    case 'nvidia-smi':
      return nvidiaSmiSource(config, deps);
    case 'rapl':
      return raplSource(deps);
    case 'prometheus':
      return prometheusSource(config, deps);
    case 'system':
      return systemSource(deps);
  }
}

export interface DetectedSources {
  /** Sources to sample (a degraded one included: it may recover). */
  sources: TelemetrySource[];
  /** The starting state of every source tried, unavailable ones with their reason. */
  statuses: TelemetryStatus[];
}

/** Power sources `auto` tries, in order; the first that works wins. */
export const autoPowerSources = ['npu-smi', 'nvidia-smi', 'rapl'] as const;

/**
 * Picks and probes the sources a config asks for. A named source that cannot exist here
 * is `unavailable`; one that exists but fails right now is kept `degraded`. `auto` takes
 * the first working power source, prometheus when URLs are given, and always system.
 */
export async function detectSources(config: TelemetryProfile, deps: TelemetryDeps): Promise<DetectedSources> {
  const detected: DetectedSources = { sources: [], statuses: [] };
  const status = (source: TelemetrySourceName, state: TelemetryStatus['state'], reason?: string) =>
    detected.statuses.push({ source, state, ...(reason ? { reason } : {}), intervalMs: config.intervalMs });

  async function tryAdd(name: TelemetrySourceName, keepWhenFailing: boolean): Promise<boolean> {
    const source = createSource(name, config, deps);
    try {
      await source.probe();
      detected.sources.push(source);
      status(name, 'ok');
      return true;
    } catch (error) {
      if (keepWhenFailing && !(error instanceof SourceUnavailableError)) {
        detected.sources.push(source);
        status(name, 'degraded', errorMessage(error));
      } else status(name, 'unavailable', errorMessage(error));
      return false;
    }
  }

  if (config.source === 'none') return detected;
  if (config.source !== 'auto') {
    await tryAdd(config.source, true);
    return detected;
  }
  for (const name of autoPowerSources) if (await tryAdd(name, false)) break;
  if (config.urls.length > 0) await tryAdd('prometheus', true);
  await tryAdd('system', true);
  return detected;
}
