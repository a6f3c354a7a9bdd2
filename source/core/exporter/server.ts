import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunHandle } from '../controller.js';
import type { Engine, ModelSlot } from '../engines/engine.js';
import { hasReplicas } from '../engines/replicas/pool.js';
import { UserError } from '../errors.js';
import { ModelPowerTracker, type DeviceResolver } from '../telemetry/device-map.js';
import { DuetCollector } from './collector.js';

export interface MetricsExporterOptions {
  port: number;
  /** Default 127.0.0.1: a run's figures are not for the whole network unless asked. */
  host?: string;
  /** The run's engines: pooled ones add per-replica series. */
  engines?: Partial<Record<ModelSlot, Engine>>;
  /** Maps telemetry devices to models: adds measured per-model power and energy. */
  deviceModel?: DeviceResolver;
}

export interface MetricsExporter {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the run's live figures at /metrics in the Prometheus text format, read from
 * handle.snapshot() at each scrape (so a scrape costs one snapshot, whatever the interval).
 */
export async function startMetricsExporter(handle: RunHandle, options: MetricsExporterOptions): Promise<MetricsExporter> {
  const host = options.host ?? '127.0.0.1';
  const resolve = options.deviceModel;
  const power = resolve ? new ModelPowerTracker(resolve) : undefined;
  const unsubscribe = power ? handle.subscribe((event) => event.type === 'telemetry' && power.add(event.sample)) : () => undefined;
  const collector = new DuetCollector({
    snapshot: () => handle.snapshot(),
    replicas: (slot) => {
      const engine = options.engines?.[slot];
      return engine && hasReplicas(engine) ? engine.replicaStats() : undefined;
    },
    ...(power ? { modelPower: (slot: ModelSlot) => ({ powerW: power.powerW(slot), joules: power.joules(slot) }) } : {}),
    ...(resolve ? { deviceModel: resolve } : {}),
  });

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('duet exposes /metrics only\n');
      return;
    }
    collector.scrape().then(
      (text) => res.writeHead(200, { 'content-type': collector.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      unsubscribe();
      if (error.code === 'EADDRINUSE') fail(new UserError(`--metrics-port: port ${options.port} on ${host} is in use; pick another`));
      else if (error.code === 'EADDRNOTAVAIL') fail(new UserError(`--metrics-host: ${host} is not an address of this machine`));
      else fail(error);
    });
    server.listen(options.port, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/metrics`,
    close: () =>
      new Promise<void>((ok) => {
        unsubscribe();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
