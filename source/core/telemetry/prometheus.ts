import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { errorMessage } from '../errors.js';
import { readingsFromExposition } from './prometheus-map.js';
import { SourceUnavailableError } from './runner.js';
import type { DeviceReading } from './sample.js';
import type { SourceConfig, SourceSample, TelemetryDeps, TelemetrySource } from './source.js';

async function scrape(url: string, timeoutMs: number, fetchImpl: typeof fetch): Promise<DeviceReading[]> {
  let text: string;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`GET ${url}: ${timedOut ? `no answer within ${timeoutMs} ms` : `${errorMessage(error)}${cause}`}`);
  }
  let devices: DeviceReading[];
  try {
    devices = readingsFromExposition(parsePrometheusTextFormat(text), new URL(url).host);
  } catch (error) {
    throw new Error(`GET ${url}: not Prometheus exposition text (${errorMessage(error)})`);
  }
  if (devices.length === 0) throw new Error(`GET ${url}: no npu-exporter or DCGM metrics`);
  return devices;
}

/** Scrapes every URL at once (they are other nodes); one failing URL degrades, it does not blank the rest. */
export function prometheusSource(config: SourceConfig, deps: Pick<TelemetryDeps, 'fetch'>): TelemetrySource {
  async function sample(): Promise<SourceSample> {
    if (config.urls.length === 0) throw new SourceUnavailableError('prometheus needs at least one URL (telemetry.urls or --url)');
    const results = await Promise.allSettled(config.urls.map((url) => scrape(url, config.timeoutMs, deps.fetch)));
    const devices = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const problems = results.flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
    if (devices.length === 0) throw new Error(problems.join('; '));
    return { devices, ...(problems.length > 0 ? { problem: problems.join('; ') } : {}) };
  }
  return {
    name: 'prometheus',
    probe: async () => {
      await sample();
    },
    sample,
  };
}
