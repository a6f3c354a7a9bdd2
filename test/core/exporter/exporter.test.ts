import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { createReplicaPool } from '../../../source/core/engines/replicas/pool.js';
import { startMetricsExporter, type MetricsExporter } from '../../../source/core/exporter/server.js';
import { modelSchema } from '../../../source/core/profile/schema.js';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import { deviceResolver } from '../../../source/core/telemetry/device-map.js';
import { FakeHandle } from '../../app/fakeHandle.js';
import { model, power, snapshot } from '../../app/fixtures.js';
import { startTinyOpenAI, type TinyOpenAI } from '../engines/replicas/tiny-openai.js';
import { finished, issued, record, runStart } from '../metrics/fixtures.js';

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

/**
 * One series of a histogram family, read by the real parser. parse-prometheus-text-format
 * folds every label set of a histogram into one, so the series' lines are given to it
 * alone, its `model` label taken out; the lines must still be valid exposition format.
 */
async function histogramOf(url: string, name: string, model: string): Promise<{ buckets: Record<string, number>; sum: number; count: number }> {
  const text = await (await fetch(url)).text();
  const label = `model="${model}"`;
  const lines = text.split('\n').filter((l) => l === `# TYPE ${name} histogram` || (l.startsWith(`${name}_`) && l.includes(label)));
  const alone = lines.map((l) => l.replace(`,${label}`, '').replace(`{${label}}`, '')).join('\n');
  const [family, ...rest] = parsePrometheusTextFormat(`${alone}\n`);
  expect(rest).toEqual([]);
  expect(family!.type).toBe('HISTOGRAM');
  const series = family!.metrics[0] as unknown as { buckets: Record<string, string>; sum: string; count: string };
  return { buckets: Object.fromEntries(Object.entries(series.buckets).map(([le, n]) => [le, Number(n)])), sum: Number(series.sum), count: Number(series.count) };
}

describe('latency and token histograms, EM and goodput counters, from a real store', () => {
  it('bucket counts, sums and counters hand-checked for A, B and the system', async () => {
    // Fixture records: e2e 64 ms, TTFT 18 ms from the send, 5 output and 100 prompt tokens.
    // A answers q1, q2 (64 ms, right); B answers q3 in 300 ms, wrong. SLO e2e 100 ms.
    const store = new MetricsStore({ slo: { e2eMs: 100 } });
    for (const event of [
      runStart(0),
      issued(1, 1000), finished(record(1, 1000)),
      issued(2, 2000), finished(record(2, 2000)),
      issued(3, 3000, ['B']), finished(record(3, 3000, { model: 'B', tDone: 3300, em: 0, f1: 0 })),
    ]) store.push(event);
    const e = await exporter(new FakeHandle(store.snapshot(4000)));
    expect(await histogramOf(e.url, 'duet_e2e_latency_seconds', 'A')).toMatchObject({ count: 2, sum: 0.128, buckets: { '0.05': 0, '0.1': 2, '+Inf': 2 } });
    expect(await histogramOf(e.url, 'duet_e2e_latency_seconds', 'B')).toMatchObject({ count: 1, sum: 0.3, buckets: { '0.25': 0, '0.5': 1 } });
    expect(await histogramOf(e.url, 'duet_e2e_latency_seconds', 'system')).toMatchObject({ count: 3, buckets: { '0.1': 2, '0.25': 2, '0.5': 3 } });
    expect(await histogramOf(e.url, 'duet_time_to_first_token_seconds', 'A')).toMatchObject({ count: 2, buckets: { '0.01': 0, '0.02': 2 } });
    // Four gaps of 10 ms per answer: 8 ITL values for A.
    expect(await histogramOf(e.url, 'duet_inter_token_latency_seconds', 'A')).toMatchObject({ count: 8, buckets: { '0.005': 0, '0.01': 8 } });
    expect(await histogramOf(e.url, 'duet_request_generation_tokens', 'system')).toMatchObject({ count: 3, sum: 15, buckets: { '4': 0, '8': 3 } });
    const { families } = await scrape(e.url);
    expect(sample(families, 'duet_exact_match_total', { model: 'system' })).toBe(2);
    expect(sample(families, 'duet_scored_total', { model: 'system' })).toBe(3);
    expect(sample(families, 'duet_queries_within_slo_total', { model: 'A' })).toBe(2);
    expect(sample(families, 'duet_queries_within_slo_total', { model: 'B' })).toBe(0);
    expect(sample(families, 'duet_queries_within_slo_total', { model: 'system' })).toBe(2);
    expect(sample(families, 'duet_generation_tokens_total', { model: 'system' })).toBe(15);
  });
});

describe('duet as a Prometheus exporter', () => {
  it('serves the snapshot at /metrics on loopback, in base units, read at every scrape', async () => {
    const handle = new FakeHandle(snapshot({ models: { A: model('A'), B: model('B', { completed: 80, errors: 3, timeouts: 2 }) } }));
    const e = await exporter(handle);
    expect(e.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const { families, type } = await scrape(e.url);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const s = handle.current;
    // Latencies are histograms: the fixture's e2e buckets are 40 <= 50 ms, 110 <= 100 ms, 120 in all, 6.2 s in sum.
    expect(families.find((f) => f.name === 'duet_e2e_latency_seconds')!.type).toBe('HISTOGRAM');
    expect(await histogramOf(e.url, 'duet_e2e_latency_seconds', 'A')).toEqual({ buckets: { '0.05': 40, '0.1': 110, '+Inf': 120 }, sum: 6.2, count: 120 });
    expect(families.find((f) => f.name === 'duet_time_to_first_token_seconds')!.type).toBe('HISTOGRAM');
    expect(families.find((f) => f.name === 'duet_request_generation_tokens')!.type).toBe('HISTOGRAM');
    // EM and goodput as counters that divide: 50 exact of the 40-answer fixture's em.n, 100 within the SLO.
    expect(families.find((f) => f.name === 'duet_exact_match_total')!.type).toBe('COUNTER');
    expect(sample(families, 'duet_exact_match_total', { model: 'system' })).toBe(50);
    expect(sample(families, 'duet_scored_total', { model: 'A' })).toBe(s.models.A.accuracy.em.n);
    expect(sample(families, 'duet_queries_within_slo_total', { model: 'B' })).toBe(100);
    expect(sample(families, 'duet_queries_total', { model: 'system' })).toBe(120);
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
    expect(sample(families, 'duet_segment_e2e_latency_p99_seconds', { segment: '1', policy: 'round-robin' })).toBeCloseTo(0.12, 12);
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
