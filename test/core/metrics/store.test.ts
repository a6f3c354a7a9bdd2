import { describe, expect, it } from 'vitest';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import { finished, issued, record, runStart } from './fixtures.js';

describe('MetricsStore latency', () => {
  it('computes every latency metric of one record from its timestamps', () => {
    const store = new MetricsStore({});
    store.push(runStart(0));
    store.push(issued(1, 1000));
    store.push(finished(record(1, 1000)));
    const s = store.snapshot(2000);
    const lat = s.models.A.latency;
    expect(lat.e2e.run).toMatchObject({ count: 1, mean: 64, p50: 64, p99: 64, max: 64 });
    expect(lat.ttft.run.p50).toBe(20);
    expect(lat.tpot.run.p50).toBe(10);
    expect(lat.itl.run).toMatchObject({ count: 4, mean: 10, max: 10 });
    expect(lat.queue.run.p50).toBe(3);
    expect(lat.pre.run.p50).toBe(2);
    expect(lat.post.run.p50).toBe(4);
    expect(s.combined.latency.e2e.last10s.count).toBe(1);
    expect(s.models.B.latency.e2e.run.count).toBe(0);
  });
});
