import { describe, expect, it } from 'vitest';
import type { ReplicaStats } from '../../source/core/engines/replicas/replica.js';
import { MetricsStore } from '../../source/core/metrics/store.js';
import { ReplicaPanel, replicaLine } from '../../source/app/panels/ReplicaPanel.js';
import { model } from './fixtures.js';
import { renderAt } from './render.js';

const stats = (url: string, extra: Partial<ReplicaStats> = {}): ReplicaStats => ({
  url,
  state: 'up',
  outstanding: 0,
  requests: 0,
  answered: 0,
  errors: 0,
  connectionErrors: 0,
  downCount: 0,
  probes: 0,
  ...extra,
});

const replicas = [
  stats('http://10.0.0.1:8001/v1', { outstanding: 2, requests: 40, answered: 39, errors: 1, meanLatencyMs: 85 }),
  stats('http://10.0.0.2:8001/v1', { state: 'down', requests: 12, answered: 10, errors: 2, lastError: 'ECONNREFUSED' }),
];

describe('replica drill-down', () => {
  it('puts a down replica first on the model panel line', () => {
    expect(replicaLine(model('A', { replicas }))).toBe('replicas: 10.0.0.2:8001 DOWN · 10.0.0.1:8001 2 out 85ms 1 err');
    expect(replicaLine(model('A'))).toBeUndefined();
  });

  it('lists health, outstanding, answers, errors and mean latency per endpoint', () => {
    const view = renderAt(<ReplicaPanel models={[model('A', { replicas }), model('B')]} width={100} />);
    const frame = view.lastFrame();
    expect(frame).toContain('A small: 2 replicas');
    expect(frame).toContain('10.0.0.1:8001 up · out 2 · 39/40 answered · err 1 · mean 85ms');
    expect(frame).toContain('10.0.0.2:8001 DOWN (ECONNREFUSED) · out 0 · 10/12 answered · err 2 · mean –');
    expect(frame).not.toContain('large');
    view.unmount();
  });

  it('is folded from engine-load events by the metrics store', () => {
    const store = new MetricsStore();
    store.push({ type: 'engine-load', t: 1000, model: 'B', queued: 0, running: 2, batchSize: 2, replicas });
    expect(store.snapshot(1000).models.B.replicas).toEqual(replicas);
    expect(store.snapshot(1000).models.A.replicas).toBeUndefined();
  });
});
