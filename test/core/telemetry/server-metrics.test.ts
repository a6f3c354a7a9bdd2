import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import type { ModelProfile } from '../../../source/core/profile/schema.js';
import { serverMetricsTargets, startServerMetrics } from '../../../source/core/telemetry/server-metrics.js';
import { serverViewFrom, slotsFrom } from '../../../source/core/telemetry/server-view.js';

// Exposition texts in each server family's metric names, written from their docs (test/fixtures/metrics/README.md).
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/metrics/${name}`, import.meta.url), 'utf8');

describe('serverViewFrom', () => {
  it("reads vLLM's gauges at once and its counters and histograms over the interval between two readings", () => {
    const first = serverViewFrom(fixture('vllm-1.prom'));
    expect(first.view).toEqual({ running: 6, waiting: 3, kvCachePct: 41.25 });
    const second = serverViewFrom(fixture('vllm-2.prom'), first.counters);
    expect(second.view).toMatchObject({ running: 8, waiting: 0, kvCachePct: 50, prefixHitPct: 75 });
    // 20 requests: TTFT sum +1.6 s -> 80 ms each; queue time +0.5 s -> 25 ms each.
    expect(second.view.ttftMs).toBeCloseTo(80, 6);
    expect(second.view.queueMs).toBeCloseTo(25, 6);
  });

  it('gives no interval figure after a counter reset (the server restarted)', () => {
    const later = serverViewFrom(fixture('vllm-2.prom'));
    expect(serverViewFrom(fixture('vllm-1.prom'), later.counters).view).toEqual({ running: 6, waiting: 3, kvCachePct: 41.25 });
  });

  it("reads SGLang's, llama.cpp's and MindIE's names", () => {
    expect(serverViewFrom(fixture('sglang.prom')).view).toEqual({ running: 12, waiting: 5, kvCachePct: 27, prefixHitPct: 64 });
    expect(serverViewFrom(fixture('llamacpp.prom')).view).toEqual({ running: 3, waiting: 1, kvCachePct: 12.5 });
    expect(serverViewFrom(fixture('mindie.prom')).view).toEqual({ running: 4, waiting: 2, kvCachePct: 75 });
  });

  it('picks the served model on a server that labels several, and sums series otherwise', () => {
    const text = [
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{model_name="small"} 2',
      'vllm:num_requests_running{model_name="large"} 5',
    ].join('\n');
    expect(serverViewFrom(text, undefined, 'large').view.running).toBe(5);
    expect(serverViewFrom(text).view.running).toBe(7);
  });

  it("reads llama.cpp's /slots", () => {
    expect(slotsFrom(JSON.parse(fixture('llamacpp-slots.json')))).toEqual({ slotsBusy: 2, slotsTotal: 4 });
    expect(slotsFrom([{ id: 0, state: 1 }, { id: 1, state: 0 }])).toEqual({ slotsBusy: 1, slotsTotal: 2 });
    expect(slotsFrom({ error: 'slots endpoint disabled' })).toBeUndefined();
  });
});

function model(overrides: Partial<ModelProfile>): ModelProfile {
  return { label: 'm', backend: 'openai', api: 'chat', requestTimeoutMs: 1000, batching: { maxBatch: 8, maxWaitMs: 5 }, executionProviders: ['cpu'], ...overrides } as ModelProfile;
}

describe('serverMetricsTargets', () => {
  it('scrapes metricsUrl when given, the server\'s own /metrics when duet launches it, and nothing otherwise', () => {
    const launch = { command: 'vllm', args: [], env: {}, readyUrl: 'http://127.0.0.1:8001/health', readyTimeoutMs: 1000, stopGraceMs: 1000 } as unknown as ModelProfile['launch'];
    expect(
      serverMetricsTargets({
        A: model({ url: 'http://127.0.0.1:8001/v1', launch, served: 'llama-1b' }),
        B: model({ url: 'https://10.0.0.5:1025/v1', metricsUrl: 'https://10.0.0.5:1026/metrics' }),
      }),
    ).toEqual([
      { model: 'A', url: 'http://127.0.0.1:8001/metrics', served: 'llama-1b', implicit: true },
      { model: 'B', url: 'https://10.0.0.5:1026/metrics' },
    ]);
    expect(serverMetricsTargets({ A: model({ url: 'http://h:8001/v1' }), B: model({ backend: 'onnx', path: 'x' }) })).toEqual([]);
    expect(serverMetricsTargets({ A: model({ url: 'http://h:8011/v1', launch, dialect: 'llama.cpp' }), B: model({}) })[0]).toEqual({
      model: 'A',
      url: 'http://h:8011/metrics',
      slotsUrl: 'http://h:8011/slots',
      implicit: true,
    });
  });
});

describe('startServerMetrics', () => {
  it('emits one event per scrape, says a failure once, and the store shows the latest view per model', async () => {
    const pages = [fixture('vllm-1.prom'), fixture('vllm-2.prom'), undefined, undefined, fixture('vllm-1.prom')];
    let call = 0;
    const fakeFetch = (async () => {
      const page = pages[call++];
      if (page === undefined) return new Response('nope', { status: 500 });
      return new Response(page, { status: 200 });
    }) as unknown as typeof fetch;
    const events: RunEvent[] = [];
    let t = 0;
    let handle: { stop(): Promise<void> } | undefined;
    let waits = 0;
    const done = new Promise<void>((resolve) => {
      handle = startServerMetrics([{ model: 'B', url: 'http://h/metrics' }], {
        clock: { now: () => t } as never,
        emit: (event) => events.push(event),
        fetch: fakeFetch,
        wait: async () => {
          t += 2000;
          if (++waits === pages.length) resolve();
        },
      });
    });
    await done;
    await handle!.stop();
    const seen = events.map((e) => (e.type === 'server-metrics' ? { t: e.t, problem: e.problem, running: e.view.running } : e.type));
    expect(seen).toEqual([
      { t: 0, problem: undefined, running: 6 },
      { t: 2000, problem: undefined, running: 8 },
      { t: 4000, problem: 'GET http://h/metrics: HTTP 500', running: undefined },
      // the same failure at 6000 is not said again
      { t: 8000, problem: undefined, running: 6 },
    ]);

    const store = new MetricsStore();
    store.push(events[1]!);
    expect(store.snapshot(3000).models.B.server).toMatchObject({ t: 2000, url: 'http://h/metrics', running: 8, waiting: 0, kvCachePct: 50 });
    store.push(events[2]!);
    // A failed scrape blanks the present figures; the run tally keeps the scrapes that answered.
    const failed = store.snapshot(5000).models.B.server!;
    expect(Object.keys(failed).sort()).toEqual(['problem', 'run', 't', 'url']);
    expect(failed).toMatchObject({ t: 4000, url: 'http://h/metrics', problem: 'GET http://h/metrics: HTTP 500', run: { scrapes: 1, meanRunning: 8, meanWaiting: 0, peakKvCachePct: 50, meanQueueMs: 25 } });
    expect(failed.run!.meanTtftMs).toBeCloseTo(80, 9);
    store.push(events[0]!);
    store.push(events[3]!);
    // Three scrapes: running 8, 6, 6 -> mean 20/3; waiting 0, 3, 3 -> 2; KV peak 50 %.
    const run = store.snapshot(9000).models.B.server!.run!;
    expect(run.scrapes).toBe(3);
    expect(run.meanRunning).toBeCloseTo(20 / 3, 12);
    expect(run).toMatchObject({ meanWaiting: 2, peakKvCachePct: 50 });
    expect(store.snapshot(5000).models.A.server).toBeUndefined();
  });

  it('leaves a launched server without metrics alone, silently, after a few attempts', async () => {
    let calls = 0;
    const fakeFetch = (async () => {
      calls++;
      return new Response('Not Found', { status: 404 });
    }) as unknown as typeof fetch;
    const events: RunEvent[] = [];
    const handle = startServerMetrics([{ model: 'A', url: 'http://127.0.0.1:8101/metrics', implicit: true }], {
      clock: { now: () => 0 } as never,
      emit: (event) => events.push(event),
      fetch: fakeFetch,
      wait: async () => undefined,
    });
    // The fake answers and waits in microtasks: by the next macrotask the loop has given up by itself.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toBe(3);
    await handle.stop();
    expect(events).toEqual([]);
  });
});
