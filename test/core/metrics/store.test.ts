import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { MetricsStore, type MetricsOptions } from '../../../source/core/metrics/store.js';
import { failed, finished, issued, record, runStart } from './fixtures.js';

function storeWith(events: RunEvent[], options: MetricsOptions = {}): MetricsStore {
  const store = new MetricsStore(options);
  for (const event of events) store.push(event);
  return store;
}

/** 20 questions to model A, one every 500 ms from t = 1000; each takes 64 ms (fixture timings). */
function steadyRun(): RunEvent[] {
  const events: RunEvent[] = [runStart(0)];
  for (let i = 0; i < 20; i++) {
    events.push(issued(i, 1000 + 500 * i));
    events.push(finished(record(i, 1000 + 500 * i)));
  }
  return events;
}

describe('MetricsStore latency', () => {
  it('computes every latency metric of one record from its timestamps', () => {
    const s = storeWith([runStart(0), issued(1, 1000), finished(record(1, 1000))]).snapshot(2000);
    const lat = s.models.A.latency;
    // Fixture: pre 2, queue 3, first token 20 after the issue (18 after the send), 5 tokens 10 ms apart, post 4 => e2e 64.
    expect(lat.e2e.run).toMatchObject({ count: 1, mean: 64, p50: 64, p99: 64, max: 64 });
    expect(lat.ttft.run.p50).toBe(18);
    // No schedule on the record: no send lag and no from-schedule figures.
    expect(lat.lag.run.count).toBe(0);
    expect(lat.e2eSched.run.count).toBe(0);
    expect(lat.tpot.run.p50).toBe(10);
    expect(lat.itl.run).toMatchObject({ count: 4, mean: 10, max: 10 });
    expect(lat.queue.run.p50).toBe(3);
    expect(lat.pre.run.p50).toBe(2);
    expect(lat.post.run.p50).toBe(4);
    expect(s.combined.latency.e2e.last10s.count).toBe(1);
    expect(s.models.B.latency.e2e.run.count).toBe(0);
  });

  it('reports send lag and latency from the schedule next to latency from the send', () => {
    // Due at 990, sent at 1002 (issue 1000 + pre 2): 12 ms late.
    const late = record(1, 1000, { tScheduled: 990 });
    // Sent before its schedule (a clock step): lag is clamped to 0, never negative.
    const early = record(2, 3000, { tScheduled: 3005, model: 'B' });
    const s = storeWith([runStart(0), finished(late), finished(early)]).snapshot(5000);
    expect(s.models.A.latency.lag.run.p50).toBe(12);
    expect(s.models.A.latency.e2eSched.run.p50).toBe(64 + 12);
    expect(s.models.A.latency.ttftSched.run.p50).toBe(18 + 12);
    expect(s.models.A.latency.e2e.run.p50).toBe(64);
    expect(s.models.B.latency.lag.run.max).toBe(0);
    expect(s.models.B.latency.e2eSched.run.p50).toBe(64);
  });

  it('gives a chunk that carried several tokens one ITL per token, its gap shared among them', () => {
    // Chunks at 20, 30, 60, 70: the third carried 3 tokens (per-chunk usage), the others 1: 6 tokens.
    const packed = record(1, 0, { tokenTimes: [20, 30, 60, 70], chunkTokens: [1, 1, 3, 1], tEnd: 70, tDone: 74, outputTokens: 6 });
    const s = storeWith([runStart(0), finished(packed)]).snapshot(100);
    // Gaps 10, 30/3 x3, 10: five ITLs of 10 ms for six tokens; TPOT (70 - 20) / 5 = 10.
    expect(s.models.A.latency.itl.run).toMatchObject({ count: 5, mean: 10, max: 10 });
    expect(s.models.A.latency.tpot.run.p50).toBe(10);
  });

  it('tpot is (tEnd - tFirstToken)/(n - 1) and absent for a single token', () => {
    const uneven = record(1, 0, { tokenTimes: [20, 21, 50], tEnd: 50, tDone: 54, outputTokens: 3 });
    const single = record(2, 0, { tokenTimes: [20], tEnd: 20, tDone: 24, outputTokens: 1, model: 'B' });
    const s = storeWith([runStart(0), finished(uneven), finished(single)]).snapshot(100);
    expect(s.models.A.latency.tpot.run.p50).toBe(15);
    expect(s.models.A.latency.itl.run).toMatchObject({ count: 2, mean: 15, max: 29 });
    expect(s.models.B.latency.tpot.run.count).toBe(0);
    expect(s.models.B.latency.itl.run.count).toBe(0);
    expect(s.combined.latency.ttft.run.count).toBe(2);
  });

  it('excludes warm-up records from every figure, and warm-up questions from issued/done', () => {
    const warm = record(0, 100, { warmup: true, tDone: 5000 });
    const s = storeWith([runStart(0), issued(0, 100, ['A'], { warmup: true }), finished(warm), issued(1, 1000), finished(record(1, 1000))]).snapshot(2000);
    expect(s.combined.completed).toBe(1);
    expect(s.combined.latency.e2e.run.max).toBe(64);
    expect(s.combined.accuracy.em.n).toBe(1);
    expect(s.issued).toBe(1);
    expect(s.done).toBe(1);
    // The measured window starts at the first non-warm-up question (t = 1000): 1 query in 1 s.
    expect(s.combined.throughput.qpsRun).toBe(1);
  });

  it('counts failures as errors or timeouts, never in latency or accuracy', () => {
    const s = storeWith([
      runStart(0),
      issued(1, 0),
      failed(record(1, 0, { error: 'HTTP 500', em: undefined })),
      issued(2, 0, ['B']),
      failed(record(2, 0, { model: 'B', timedOut: true, error: 'timeout', tDone: 120_000 })),
    ]).snapshot(1000);
    expect(s.models.A).toMatchObject({ completed: 0, errors: 1, timeouts: 0 });
    expect(s.models.B).toMatchObject({ completed: 0, errors: 0, timeouts: 1 });
    expect(s.combined).toMatchObject({ completed: 0, errors: 1, timeouts: 1 });
    expect(s.combined.latency.e2e.run.count).toBe(0);
    expect(s.combined.accuracy.em.n).toBe(0);
    expect(s.done).toBe(2);
  });

  it('counts overload (the server refusing for load) within errors, apart from faults', () => {
    const s = storeWith([
      runStart(0),
      issued(1, 0),
      failed(record(1, 0, { error: 'HTTP 429: Too many requests', overload: true, em: undefined })),
      issued(2, 0),
      failed(record(2, 0, { error: 'server error in stream: Engine callback timeout: server tokenTimeout', overload: true, em: undefined })),
      issued(3, 0),
      failed(record(3, 0, { error: 'stream cut mid-answer after 2 tokens', em: undefined })),
    ]).snapshot(1000);
    expect(s.models.A).toMatchObject({ errors: 3, overloaded: 2, timeouts: 0 });
    expect(s.models.B).toMatchObject({ errors: 0, overloaded: 0 });
  });
});

describe('MetricsStore throughput', () => {
  it('q/s and tokens/s over 10 s, 60 s and the run, plus per-second buckets', () => {
    // Completions at 1064, 1564, ..., 10564; measured from 1000 to 11000 = 10 s.
    const s = storeWith(steadyRun()).snapshot(11_000);
    const tp = s.combined.throughput;
    expect(tp.qpsRun).toBe(2);
    expect(tp.qps10s).toBe(2);
    expect(tp.qps60s).toBe(2); // the 60 s window is shortened to the 10 s measured
    expect(tp.tokensPerSecRun).toBe(10);
    expect(tp.tokensPerSec10s).toBe(10);
    expect(tp.qpsSeries).toHaveLength(60);
    expect(tp.qpsSeries[59]).toBe(2); // (10 s, 11 s]: 10064, 10564
    expect(tp.qpsSeries[50]).toBe(2); // (1 s, 2 s]: 1064, 1564
    expect(tp.qpsSeries[49]).toBe(0);
    expect(tp.tokensPerSecSeries[59]).toBe(10);
    expect(tp.qpsSeries.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('the 10 s rate forgets older completions while the run rate keeps them', () => {
    // Same 20 completions, seen at t = 21000: none in the last 10 s, 20 over 20 s.
    const tp = storeWith(steadyRun()).snapshot(21_000).combined.throughput;
    expect(tp.qps10s).toBe(0);
    expect(tp.qps60s).toBe(1);
    expect(tp.qpsRun).toBe(1);
  });

  it('freezes at run-end: a later snapshot reads the run as it finished', () => {
    const store = storeWith([...steadyRun(), { type: 'run-end', t: 11_000, reason: 'finished' }]);
    const atEnd = store.snapshot(11_000);
    const later = store.snapshot(40_000);
    expect(later.combined).toEqual(atEnd.combined);
    expect(later.elapsedMs).toBe(11_000);
  });

  it('has no rates before the measured window starts (never a fake 0)', () => {
    const tp = storeWith([runStart(0)]).snapshot(5000).combined.throughput;
    expect(tp.qpsRun).toBeUndefined();
    expect(tp.qps10s).toBeUndefined();
    expect(tp.goodput).toBeUndefined();
  });

  it('goodput counts queries meeting every configured SLO; correct-on-time also needs an EM hit', () => {
    const events: RunEvent[] = [runStart(0)];
    for (let i = 0; i < 20; i++) {
      const slow = i >= 10; // e2e 200 ms instead of 64
      const wrong = i < 4; // 4 of the 10 fast ones miss
      const r = record(i, 1000 + 500 * i, { ...(slow ? { tDone: 1000 + 500 * i + 200 } : {}), ...(wrong ? { em: 0, f1: 0 } : {}) });
      events.push(issued(i, r.tIssued), finished(r));
    }
    const withSlo = storeWith(events, { slo: { e2eMs: 100, ttftMs: 25 } }).snapshot(11_000).combined.throughput;
    expect(withSlo.qpsRun).toBe(2);
    expect(withSlo.goodput).toBe(1); // 10 fast / 10 s
    expect(withSlo.correctOnTimePerSec).toBeCloseTo(0.6, 12); // 6 fast and right / 10 s
    const noSlo = storeWith(events).snapshot(11_000).combined.throughput;
    expect(noSlo.goodput).toBe(noSlo.qpsRun);
    const tightTpot = storeWith(events, { slo: { tpotMs: 8 } }).snapshot(11_000).combined.throughput;
    expect(tightTpot.goodput).toBe(0); // every record has a 10 ms TPOT
  });
});

describe('MetricsStore accuracy', () => {
  it('EM with Wilson interval and mean F1, split answerable / unanswerable, per model and combined', () => {
    const scores: [number, number, boolean][] = [
      [1, 1, true], [1, 1, true], [1, 1, true], [1, 1, true], [0, 0.5, true], [0, 0, true],
      [1, 1, false], [0, 0, false],
    ];
    const events: RunEvent[] = [runStart(0)];
    scores.forEach(([em, f1, answerable], i) => events.push(finished(record(i, 100 * i, { em, f1, answerable }))));
    events.push(finished(record(8, 900, { model: 'B' })), finished(record(9, 1000, { model: 'B' })));
    const s = storeWith(events).snapshot(2000);
    const a = s.models.A.accuracy;
    expect(a.em.value).toBe(62.5); // 5 of 8
    expect(a.em.n).toBe(8);
    expect(a.em.low).toBeCloseTo(30.57, 2); // Wilson 95% for 5/8, by hand
    expect(a.em.high).toBeCloseTo(86.32, 2);
    expect(a.f1).toBe(68.75); // (4 + 0.5 + 0 + 1 + 0) / 8
    expect(a.hasAns.em.value).toBeCloseTo(66.667, 3); // 4 of 6
    expect(a.hasAns.f1).toBe(75); // 4.5 / 6
    expect(a.noAns.em.value).toBe(50);
    expect(a.noAns.f1).toBe(50);
    expect(s.combined.accuracy.em.value).toBe(70); // records: 7 of 10
    expect(s.models.B.accuracy.noAns.em).toEqual({ n: 0 });
  });
});

describe('MetricsStore state', () => {
  it('queue depth, in-flight and batch size follow the latest engine-load event', () => {
    const s = storeWith([
      runStart(0),
      { type: 'engine-load', t: 100, model: 'A', queued: 3, running: 2, batchSize: 2 },
      { type: 'engine-load', t: 200, model: 'B', queued: 7, running: 8, batchSize: 8 },
      { type: 'engine-load', t: 1100, model: 'A', queued: 1, running: 4, batchSize: 4 },
    ]).snapshot(1200);
    expect(s.models.A).toMatchObject({ queueDepth: 1, inFlight: 4, batchSize: 4 });
    expect(s.models.B).toMatchObject({ queueDepth: 7, inFlight: 8, batchSize: 8 });
  });

  it('server state: starting before run-start, ready after, then server events', () => {
    const store = new MetricsStore({});
    expect(store.snapshot(0).models.A.state).toBe('starting');
    store.push(runStart(0));
    expect(store.snapshot(0).models.B.state).toBe('ready');
    expect(store.snapshot(0).models.B.info.label).toBe('large');
    store.push({ type: 'server', t: 50, model: 'B', state: 'down', detail: 'exit code 1' });
    expect(store.snapshot(60).models.B).toMatchObject({ state: 'down', stateDetail: 'exit code 1' });
    expect(store.snapshot(60).models.A.state).toBe('ready');
  });

  it('run settings follow their events', () => {
    const s = storeWith([
      runStart(0),
      { type: 'load-change', t: 10, load: { mode: 'open', rate: 4 } },
      { type: 'weight-change', t: 20, weight: 0.8 },
      { type: 'pause', t: 30, paused: true },
      { type: 'warning', t: 40, message: 'npu-smi slow' },
    ]).snapshot(50);
    expect(s).toMatchObject({ policy: 'round-robin', load: { mode: 'open', rate: 4 }, weight: 0.8, paused: true, warnings: ['npu-smi slow'], elapsedMs: 50 });
  });

  it('a mirrored question is done once both models reported', () => {
    const store = storeWith([runStart(0), issued(1, 0, ['A', 'B']), finished(record(1, 0))]);
    expect(store.snapshot(100)).toMatchObject({ issued: 1, done: 0 });
    store.push(finished(record(1, 0, { model: 'B' })));
    expect(store.snapshot(100)).toMatchObject({ issued: 1, done: 1 });
    expect(store.snapshot(100).combined.completed).toBe(2);
  });

  it('recent answers newest first (capped) and the slowest records slowest first', () => {
    const events: RunEvent[] = [runStart(0)];
    const e2es = [50, 400, 120, 300, 90];
    e2es.forEach((e2e, i) => events.push(finished(record(i, 1000 * i, { tDone: 1000 * i + e2e, em: i % 2 }))));
    const s = storeWith(events, { recentAnswers: 3, slowest: 2 }).snapshot(6000);
    expect(s.recent.map((r) => r.seq)).toEqual([4, 3, 2]);
    expect(s.recent[0]).toMatchObject({ model: 'A', question: 'question 4?', prediction: 'Paris', gold: ['Paris'], hit: false, e2eMs: 90 });
    expect(s.recent[1]!.hit).toBe(true);
    expect(s.slowest.map((r) => r.seq)).toEqual([1, 3]);
  });
});
