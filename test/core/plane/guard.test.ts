import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { guardLine, judge, MeasuringTally, type MeasuringSample } from '../../../source/core/plane/guard.js';
import type { MeasuringPlane } from '../../../source/core/plane/plane.js';
import type { PlaneHealth } from '../../../source/core/plane/protocol.js';
import { lagFigures, startMeasuringGuard } from '../../../source/core/run/measuring.js';
import type { QueryRecord } from '../../../source/core/query.js';

const idle = { loopDelayP99Ms: 0.4, loopDelayMaxMs: 1, utilisation: 0.1 };

describe('measuring guard verdicts', () => {
  it('is ok while the client threads keep up, and says nothing', () => {
    const sample = judge({ intervalMs: 1000, main: idle, plane: { ...idle, workers: 1, streams: 4 }, sendLag: { p99Ms: 0.8, maxMs: 1.2, count: 40 } });
    // Timestamps can be late by the client threads' stall p99; send lag is kept apart.
    expect(sample).toMatchObject({ verdict: 'ok', inflationMs: 0.4 });
    expect(sample.reason).toBeUndefined();
  });

  it('warns above 2 ms of client stall or send lag, or 70% busy', () => {
    expect(judge({ intervalMs: 1000, main: idle, plane: { ...idle, loopDelayP99Ms: 3.5, workers: 1, streams: 64 } })).toMatchObject({
      verdict: 'warn',
      inflationMs: 3.5,
      reason: 'client thread stalls p99 3.5 ms',
    });
    expect(judge({ intervalMs: 1000, main: idle, plane: { ...idle, utilisation: 0.75, workers: 1, streams: 64 } }).verdict).toBe('warn');
    expect(judge({ intervalMs: 1000, main: idle, sendLag: { p99Ms: 2.5, maxMs: 4, count: 10 } })).toMatchObject({ verdict: 'warn', inflationMs: 0 });
  });

  it('calls the client the bottleneck above 10 ms or 90% busy, naming only what tripped it', () => {
    const sample = judge({ intervalMs: 1000, main: { ...idle, loopDelayP99Ms: 80 }, plane: { ...idle, utilisation: 0.95, workers: 1, streams: 256 }, sendLag: { p99Ms: 14, maxMs: 30, count: 200 } });
    expect(sample.verdict).toBe('bound');
    expect(sample.inflationMs).toBe(0.4);
    expect(sample.reason).toBe('client thread 95% busy, sends late by p99 14 ms');
  });

  it('does not judge the main thread: its stalls reach no timestamp, only the sends (which are judged)', () => {
    expect(judge({ intervalMs: 1000, main: { loopDelayP99Ms: 200, loopDelayMaxMs: 300, utilisation: 1 } }).verdict).toBe('ok');
  });
});

describe('measuring tally and its one line', () => {
  const at = (verdict: MeasuringSample['verdict'], inflationMs: number, lagMs?: number): MeasuringSample => ({
    intervalMs: 1000,
    main: idle,
    verdict,
    inflationMs,
    ...(lagMs === undefined ? {} : { sendLag: { p99Ms: lagMs, maxMs: lagMs, count: 5 } }),
  });

  it('counts bound seconds as a share of the run and keeps the worst inflation of a tripped second', () => {
    const tally = new MeasuringTally();
    for (let i = 0; i < 22; i++) tally.add(at('ok', 0.5));
    tally.add(at('warn', 4.2));
    tally.add(at('bound', 12.3, 640.2));
    tally.add(at('bound', 30.1, 15));
    const figures = tally.figures();
    expect(figures).toMatchObject({ samples: 25, warnSamples: 1, boundSamples: 2, worstInflationMs: 30.1, worstLagMs: 640.2 });
    expect(figures.boundShare).toBeCloseTo(0.08, 12);
    expect(guardLine(figures)).toBe('client-bound for 8% of the run: timestamps may be late by up to 31 ms; sends ran up to 641 ms behind schedule (in the from-schedule figures)');
  });

  it('says nothing for a clean run, and names strain without a bound second', () => {
    const clean = new MeasuringTally();
    clean.add(at('ok', 9)); // an ok second is not reported, whatever it carries
    expect(guardLine(clean.figures())).toBeUndefined();
    const strained = new MeasuringTally();
    strained.add(at('warn', 2.2));
    strained.add(at('warn', 3.01));
    expect(guardLine(strained.figures())).toBe('client under strain for 2 s of the run: timestamps may be late by up to 4 ms');
    // Only late sends (an in-process run has no client thread): said as such.
    const lagging = new MeasuringTally();
    lagging.add(at('bound', 0, 48));
    expect(guardLine(lagging.figures())).toBe('client-bound for 100% of the run: sends ran up to 48 ms behind schedule (in the from-schedule figures)');
    // Busy threads without a stall or a late send.
    const busy = new MeasuringTally();
    busy.add(at('warn', 0.5));
    expect(guardLine(busy.figures())).toBe('client under strain for 1 s of the run: client threads over 70% busy');
    expect(guardLine(new MeasuringTally().figures())).toBeUndefined();
  });
});

describe('the run\'s measuring guard', () => {
  it('takes p99 and max of the interval\'s send lags by nearest rank', () => {
    const lags = Array.from({ length: 200 }, (_, i) => i / 10); // 0.0 .. 19.9
    expect(lagFigures(lags)).toEqual({ p99Ms: 19.7, maxMs: 19.9, count: 200 });
    expect(lagFigures([3])).toEqual({ p99Ms: 3, maxMs: 3, count: 1 });
  });

  it('emits one judged sample per interval with the plane\'s worst thread and the records\' send lag', async () => {
    const listeners: Array<(h: PlaneHealth) => void> = [];
    const plane = { workerCount: 2, onHealth: (l: (h: PlaneHealth) => void) => (listeners.push(l), () => undefined) } as unknown as MeasuringPlane;
    const events: RunEvent[] = [];
    const guard = startMeasuringGuard({ clock: { now: () => 42 }, emit: (e) => events.push(e), plane, intervalMs: 60 });
    listeners[0]!({ worker: 0, loopDelayP99Ms: 1, loopDelayMaxMs: 2, utilisation: 0.2, streams: 3, chunks: 10, intervalMs: 1000 });
    listeners[0]!({ worker: 1, loopDelayP99Ms: 12, loopDelayMaxMs: 20, utilisation: 0.5, streams: 5, chunks: 30, intervalMs: 1000 });
    const record = (tScheduled: number, tEnqueued: number) => ({ tScheduled, tEnqueued }) as QueryRecord;
    guard.noteRecord(record(100, 101));
    guard.noteRecord(record(200, 204));
    guard.noteRecord({ ...record(300, 390), error: 'boom' } as QueryRecord); // failed: not a send figure
    await new Promise((resolve) => setTimeout(resolve, 90));
    guard.stop();
    const samples = events.filter((e): e is Extract<RunEvent, { type: 'measuring' }> => e.type === 'measuring');
    expect(samples).toHaveLength(1);
    const sample = samples[0]!.sample;
    expect(samples[0]!.t).toBe(42);
    expect(sample.plane).toEqual({ workers: 2, loopDelayP99Ms: 12, loopDelayMaxMs: 20, utilisation: 0.5, streams: 8, chunks: 40, busyMs: 700 });
    expect(sample.sendLag).toEqual({ p99Ms: 4, maxMs: 4, count: 2 });
    expect(sample.verdict).toBe('bound');
    expect(sample.inflationMs).toBe(12);
    expect(sample.reason).toBe('client thread stalls p99 12 ms'); // the 4 ms send lag is only a warning: not named
  });
});

describe('measuring plane growth', () => {
  it('adds a client thread when one was busy more than 60% of an interval, up to the limit', async () => {
    const { shouldGrow } = await import('../../../source/core/plane/plane.js');
    expect(shouldGrow(0.61, 1, 3)).toBe(true);
    expect(shouldGrow(0.6, 1, 3)).toBe(false);
    expect(shouldGrow(0.95, 3, 3)).toBe(false);
  });
});
