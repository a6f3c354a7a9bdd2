import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { createReplicaPool } from '../../../source/core/engines/replicas/pool.js';
import { startMetricsExporter, type MetricsExporter } from '../../../source/core/exporter/server.js';
import { modelSchema } from '../../../source/core/profile/schema.js';
import { deviceResolver } from '../../../source/core/telemetry/device-map.js';
import { FakeHandle } from '../../app/fakeHandle.js';
import { model, power, snapshot } from '../../app/fixtures.js';
import { startTinyOpenAI, type TinyOpenAI } from '../engines/replicas/tiny-openai.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function exporter(handle: FakeHandle, options: Partial<Parameters<typeof startMetricsExporter>[1]> = {}): Promise<MetricsExporter> {
  const e = await startMetricsExporter(handle, { port: 0, ...options });
  open.push(e);
  return e;
}

async function scrape(url: string): Promise<{ families: PrometheusFamily[]; type: string | null }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return { type: response.headers.get('content-type'), families: parsePrometheusTextFormat(await response.text()) };
}

/** The one sample of `name` whose labels are exactly `labels`; undefined when there is none. */
function sample(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const hits = (family?.metrics ?? []).filter((m) => JSON.stringify(Object.entries(m.labels ?? {}).sort()) === JSON.stringify(Object.entries(labels).sort()));
  expect(hits.length).toBeLessThanOrEqual(1);
  return hits[0] === undefined ? undefined : Number(hits[0].value);
}

describe('duet as a Prometheus exporter', () => {
  it('serves the snapshot at /metrics on loopback, in base units, read at every scrape', async () => {
    const handle = new FakeHandle(snapshot({ models: { A: model('A'), B: model('B', { completed: 80, errors: 3, timeouts: 2 }) } }));
    const e = await exporter(handle);
    expect(e.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const { families, type } = await scrape(e.url);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const s = handle.current;
    const e2e = s.models.A.latency.e2e;
    expect(sample(families, 'duet_e2e_latency_seconds', { model: 'A', window: 'run', quantile: '0.99' })).toBeCloseTo(e2e.run.p99! / 1000, 12);
    expect(sample(families, 'duet_e2e_latency_seconds', { model: 'A', window: '10s', quantile: '0.5' })).toBeCloseTo(e2e.last10s.p50! / 1000, 12);
    expect(sample(families, 'duet_ttft_seconds', { model: 'B', window: '60s', quantile: '0.9' })).toBeCloseTo(s.models.B.latency.ttft.last60s.p90! / 1000, 12);
    expect(families.find((f) => f.name === 'duet_queries_total')!.type).toBe('COUNTER');
    expect(sample(families, 'duet_queries_total', { model: 'B' })).toBe(80);
    expect(sample(families, 'duet_errors_total', { model: 'B', kind: 'error' })).toBe(3);
    expect(sample(families, 'duet_errors_total', { model: 'B', kind: 'timeout' })).toBe(2);
    expect(sample(families, 'duet_queries_per_second', { model: 'A', window: '10s' })).toBe(s.models.A.throughput.qps10s);
    expect(sample(families, 'duet_tokens_per_second', { model: 'A', window: 'run' })).toBe(s.models.A.throughput.tokensPerSecRun);
    expect(sample(families, 'duet_exact_match_ratio', { model: 'A', subset: 'all' })).toBeCloseTo(s.models.A.accuracy.em.value! / 100, 12);
    expect(sample(families, 'duet_f1_ratio', { model: 'A', subset: 'all' })).toBeCloseTo(s.models.A.accuracy.f1! / 100, 12);
    expect(sample(families, 'duet_queue_depth', { model: 'A' })).toBe(s.models.A.queueDepth);
    expect(sample(families, 'duet_power_watts')).toBe(s.power.powerW);
    expect(sample(families, 'duet_energy_joules')).toBe(s.power.joules);
    expect(sample(families, 'duet_model_energy_joules', { model: 'A', method: 'busy-time-split' })).toBe(s.models.A.energy.joules);
    expect(sample(families, 'duet_policy_info', { policy: 'round-robin' })).toBe(1);
    expect(sample(families, 'duet_segment_queries_per_second', { segment: '2', policy: 'cascade' })).toBe(3);
    expect(sample(families, 'duet_segment_e2e_latency_seconds', { segment: '1', policy: 'round-robin', quantile: '0.99' })).toBeCloseTo(0.12, 12);
    expect(sample(families, 'duet_model_info', { model: 'B', label: 'large', backend: 'onnx', served: 'demo-large', device: 'cpu' })).toBe(1);
    // The goodput figure is undefined in this snapshot: no sample rather than a 0.
    expect(sample(families, 'duet_goodput_queries_per_second', { model: 'A' })).toBeUndefined();

    // The next scrape reads the snapshot again; a figure that went undefined disappears.
    handle.current = snapshot({ policy: 'cascade', power: power({ powerW: undefined }), models: { A: model('A', { completed: 121 }), B: model('B') } });
    const again = (await scrape(e.url)).families;
    expect(sample(again, 'duet_queries_total', { model: 'A' })).toBe(121);
    expect(sample(again, 'duet_policy_info', { policy: 'cascade' })).toBe(1);
    expect(sample(again, 'duet_policy_info', { policy: 'round-robin' })).toBeUndefined();
    expect(sample(again, 'duet_power_watts')).toBeUndefined();
  });

  it('adds measured per-model power from mapped devices and per-replica series from pooled engines', async () => {
    const servers: TinyOpenAI[] = await Promise.all([startTinyOpenAI(), startTinyOpenAI()]);
    open.push(...servers);
    const pool = createReplicaPool(modelSchema.parse({ label: 'small', backend: 'openai', endpoints: servers.map((s) => s.url), served: 'tiny' }));
    open.push({ close: () => pool.stop() });
    await pool.start();
    await pool.generate({ id: 'q1', messages: [{ role: 'user', content: 'hi' }], promptIds: [1], promptText: 'hi', maxNewTokens: 4 });
    const handle = new FakeHandle(snapshot({ power: power({ devices: [{ id: '10.0.0.5:8082/npu0', powerW: 100 }, { id: '10.0.0.6:8082/npu0', powerW: 250 }] }) }));
    const e = await exporter(handle, { engines: { A: pool }, deviceModel: deviceResolver({ '10.0.0.5': 'A', '10.0.0.6': 'B' }) });
    const devices = (t: number, a: number, b: number) => [
      { id: '10.0.0.5:8082/npu0', powerW: a },
      { id: '10.0.0.6:8082/npu0', powerW: b },
    ];
    handle.emit({ type: 'telemetry', t: 1000, sample: { source: 'prometheus', t: 1000, devices: devices(1000, 100, 250) } });
    handle.emit({ type: 'telemetry', t: 2000, sample: { source: 'prometheus', t: 2000, devices: devices(2000, 120, 250) } });
    const { families } = await scrape(e.url);
    expect(sample(families, 'duet_model_power_watts', { model: 'A' })).toBe(120);
    expect(sample(families, 'duet_model_power_watts', { model: 'B' })).toBe(250);
    expect(sample(families, 'duet_model_energy_joules', { model: 'A', method: 'device-map' })).toBeCloseTo(110, 9);
    expect(sample(families, 'duet_device_power_watts', { device: '10.0.0.6:8082/npu0', model: 'B' })).toBe(250);
    const [r0, r1] = pool.replicaStats();
    expect(sample(families, 'duet_replica_up', { model: 'A', replica: r0!.url })).toBe(1);
    expect(sample(families, 'duet_replica_requests_total', { model: 'A', replica: r0!.url })).toBe(1);
    expect(sample(families, 'duet_replica_requests_total', { model: 'A', replica: r1!.url })).toBe(0);
    expect(sample(families, 'duet_replica_errors_total', { model: 'A', replica: r0!.url, kind: 'connection' })).toBe(0);
    expect(sample(families, 'duet_replica_latency_mean_seconds', { model: 'A', replica: r0!.url })).toBeCloseTo(r0!.meanLatencyMs! / 1000, 12);
    expect(families.some((f) => f.metrics.some((m) => m.labels?.model === 'B' && f.name.startsWith('duet_replica_')))).toBe(false);
  });

  it('answers only GET /metrics, names a taken port, and lets go of the run on close', async () => {
    const handle = new FakeHandle();
    const e = await exporter(handle, { deviceModel: deviceResolver({}) });
    const base = e.url.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(e.url, { method: 'POST' })).status).toBe(405);
    const port = Number(new URL(e.url).port);
    await expect(startMetricsExporter(handle, { port })).rejects.toThrow(`--metrics-port: port ${port} on 127.0.0.1 is in use; pick another`);
    expect(handle.listenerCount).toBe(1);
    await e.close();
    open.splice(0);
    expect(handle.listenerCount).toBe(0);
    await expect(fetch(e.url)).rejects.toThrow();
  });
});
