import type { RunController } from '../run/controller.js';
import type { PreparedRun } from '../run/prepare.js';
import { profileDeviceResolver } from '../telemetry/device-map.js';
import { startMetricsExporter, type MetricsExporter } from './server.js';

/**
 * `duet run --metrics-port N`: exports the started run. When the port cannot be had,
 * the run (and any server it launched) is ended before the error goes up, so a bad
 * flag never leaves a run going with nobody watching.
 */
export async function exportRun(
  run: RunController,
  prepared: PreparedRun,
  flags: { metricsPort?: number; metricsHost?: string },
  progress: (line: string) => void,
): Promise<MetricsExporter | undefined> {
  if (flags.metricsPort === undefined) return undefined;
  try {
    const exporter = await startMetricsExporter(run, {
      port: flags.metricsPort,
      ...(flags.metricsHost === undefined ? {} : { host: flags.metricsHost }),
      engines: prepared.options.engines,
      deviceModel: profileDeviceResolver(prepared.profile),
    });
    progress(`duet: Prometheus metrics at ${exporter.url}`);
    return exporter;
  } catch (error) {
    await run.end('error', error instanceof Error ? error.message : String(error));
    throw error;
  }
}
