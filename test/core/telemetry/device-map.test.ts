import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSchema, telemetrySchema } from '../../../source/core/profile/schema.js';
import { deviceResolver, ModelPowerTracker, powerByModel, profileDeviceResolver, replicaHosts } from '../../../source/core/telemetry/device-map.js';
import { prometheusSource } from '../../../source/core/telemetry/prometheus.js';
import { startFakeNpuExporter, type FakeExporter } from '../exporter/fake-npu-exporter.js';

const model = (label: string, endpoints: string[]) => modelSchema.parse({ label, backend: 'openai', endpoints });

describe('which model a device serves', () => {
  it('prefers the most specific mapping: device, exporter, host, then the replicas running on that host', () => {
    const models = [model('small', ['http://10.0.0.7:8000/v1', 'http://10.0.0.9:8000/v1']), model('large', ['http://10.0.0.8:8000/v1', 'http://10.0.0.9:8001/v1'])];
    const hosts = replicaHosts(models);
    // 10.0.0.9 serves both models: its host says nothing.
    expect([...hosts]).toEqual([
      ['10.0.0.7', 'A'],
      ['10.0.0.8', 'B'],
    ]);
    const resolve = deviceResolver({ '10.0.0.5:9100/npu1': 'B', '10.0.0.5:9100': 'A', '10.0.0.6': 'B' }, hosts);
    expect(resolve('10.0.0.5:9100/npu0')).toBe('A');
    expect(resolve('10.0.0.5:9100/npu1')).toBe('B');
    expect(resolve('10.0.0.6:8082/npu3')).toBe('B');
    expect(resolve('10.0.0.7:8082/npu0')).toBe('A');
    expect(resolve('10.0.0.8:8082/gpu0')).toBe('B');
    expect(resolve('10.0.0.9:8082/npu0')).toBeUndefined();
    expect(resolve('npu0.0')).toBeUndefined(); // a local npu-smi device: no host, no mapping
    const fromProfile = profileDeviceResolver({ models, telemetry: telemetrySchema.parse({ deviceMap: { '10.0.0.9:8082/npu0': 'B' } }) });
    expect(fromProfile('10.0.0.9:8082/npu0')).toBe('B');
    expect(fromProfile('10.0.0.7:8082/npu5')).toBe('A');
  });

  it('rejects a deviceMap value that is not a model slot', () => {
    expect(() => telemetrySchema.parse({ deviceMap: { '10.0.0.5:9100': 'C' } })).toThrow();
  });
});

describe('per-model power from two npu-exporter nodes', () => {
  let nodeA: FakeExporter;
  let nodeB: FakeExporter;
  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([startFakeNpuExporter([90, 95.5]), startFakeNpuExporter([210, 190, 12])]);
  });
  afterAll(async () => {
    await Promise.all([nodeA.close(), nodeB.close()]);
  });

  it('scrapes both with the real prometheus source and sums power and energy per model', async () => {
    const config = telemetrySchema.parse({ source: 'prometheus', urls: [nodeA.url, nodeB.url] });
    const source = prometheusSource(config, { fetch });
    // Node B's third chip is idle and serves nothing: mapped to no model, it counts for none.
    const resolve = deviceResolver({ [nodeA.hostPort]: 'A', [`${nodeB.hostPort}/npu0`]: 'B', [`${nodeB.hostPort}/npu1`]: 'B' });
    const tracker = new ModelPowerTracker(resolve);
    const first = await source.sample();
    expect(first.devices.map((d) => d.id).sort()).toEqual([`${nodeA.hostPort}/npu0`, `${nodeA.hostPort}/npu1`, `${nodeB.hostPort}/npu0`, `${nodeB.hostPort}/npu1`, `${nodeB.hostPort}/npu2`].sort());
    const sample = (t: number, devices: typeof first.devices) => ({ source: 'prometheus' as const, t, devices });
    expect(powerByModel(sample(0, first.devices), resolve)).toEqual({ A: 185.5, B: 400 });
    tracker.add(sample(0, first.devices));
    expect(tracker.joules('A')).toBe(0);
    nodeA.powersW = [110, 115.5];
    nodeB.powersW = [200, 180, 12];
    tracker.add(sample(2000, (await source.sample()).devices));
    expect(tracker.powerW('A')).toBe(225.5);
    expect(tracker.powerW('B')).toBe(380);
    // Trapezoid over 2 s: (185.5 + 225.5) / 2 * 2 and (400 + 380) / 2 * 2.
    expect(tracker.joules('A')).toBeCloseTo(411, 9);
    expect(tracker.joules('B')).toBeCloseTo(780, 9);
    expect(nodeA.scrapes).toBe(2);
  });

  it('has no figure for a model none of whose devices report (never a fake 0)', () => {
    const tracker = new ModelPowerTracker(deviceResolver({ '127.0.0.1:1': 'A' }));
    tracker.add({ source: 'prometheus', t: 0, devices: [{ id: '127.0.0.1:1/npu0', powerW: 50 }, { id: '127.0.0.1:2/npu0', powerW: 70 }] });
    expect(tracker.powerW('A')).toBe(50);
    expect(tracker.powerW('B')).toBeUndefined();
    expect(tracker.joules('B')).toBeUndefined();
  });
});
