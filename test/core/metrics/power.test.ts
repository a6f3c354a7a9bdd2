import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { MetricsStore, type MetricsOptions } from '../../../source/core/metrics/store.js';
import { finished, issued, record, runStart } from './fixtures.js';

/**
 * npu-smi samples every second from 0 to 20 s: chip 0 draws 100 W before 10 s and 200 W
 * from then on, chip 1 draws 50 W, a third chip reports no power (NA). system samples
 * carry no power. Questions from t = 1000, so the measured window is [1000, t].
 */
function poweredRun(): RunEvent[] {
  const events: RunEvent[] = [runStart(0), { type: 'telemetry-status', t: 0, status: { source: 'npu-smi', state: 'ok', intervalMs: 1000 } }];
  for (let t = 0; t <= 20_000; t += 1000) {
    events.push({
      type: 'telemetry',
      t,
      sample: { source: 'npu-smi', t, devices: [{ id: 'npu0.0', powerW: t < 10_000 ? 100 : 200 }, { id: 'npu0.1', powerW: 50 }, { id: 'npu1.0', health: 'OK' }] },
    });
    events.push({ type: 'telemetry', t, sample: { source: 'system', t, devices: [{ id: 'system', utilPct: 40 }] } });
  }
  // Model A busy [1005, 1100] (two overlapping requests) + [2005, 2060] = 150 ms; model B [3010, 3060] = 50 ms.
  events.push(issued(1, 1000), finished(record(1, 1000)));
  events.push(issued(2, 1040), finished(record(2, 1040)));
  events.push(issued(3, 2000), finished(record(3, 2000)));
  events.push(issued(4, 3000, ['B']), finished(record(4, 3000, { model: 'B', tStart: 3010 })));
  return events;
}

function storeWith(events: RunEvent[], options: MetricsOptions = {}): MetricsStore {
  const store = new MetricsStore(options);
  for (const event of events) store.push(event);
  return store;
}

// Energy over [1000, 20000]: 150 W x 8 s + ramp 150->250 W over 1 s + 250 W x 10 s.
const JOULES = 1200 + 200 + 2500;

describe('MetricsStore power and energy', () => {
  it('power view: summed device power, 60 s series, source, interval and samples', () => {
    const power = storeWith(poweredRun()).snapshot(20_000).power;
    expect(power.powerW).toBe(250);
    expect(power.powerSeries).toHaveLength(21);
    expect(power.powerSeries[0]).toBe(150);
    expect(power.powerSeries[20]).toBe(250);
    expect(power.joules).toBe(JOULES);
    expect(power.samples).toBe(20); // readings at 1 s .. 20 s
    expect(power.intervalMs).toBe(1000);
    expect(power.source).toBe('npu-smi');
    expect(power.status).toEqual([{ source: 'npu-smi', state: 'ok', intervalMs: 1000 }]);
    expect(power.devices.map((d) => d.id)).toEqual(['npu0.0', 'npu0.1', 'npu1.0', 'system']);
  });

  it('combined energy over the measured window, per-model energy split by busy time and flagged', () => {
    const s = storeWith(poweredRun()).snapshot(20_000);
    expect(s.combined.energy).toMatchObject({ joules: JOULES, estimated: false, coveredFraction: 1, joulesPerQuery: JOULES / 4, joulesPerCorrect: JOULES / 4 });
    expect(s.combined.energy.meanPowerW).toBeCloseTo(JOULES / 19, 9);
    expect(s.combined.energy.tokensPerJoule).toBeCloseTo(20 / JOULES, 12);
    // A busy 150 ms, B 50 ms: A gets 3/4, B 1/4.
    expect(s.models.A.energy).toMatchObject({ joules: 2925, estimated: true, joulesPerQuery: 975 });
    expect(s.models.B.energy).toMatchObject({ joules: 975, estimated: true, joulesPerQuery: 975 });
    expect(s.models.A.energy.qpsPerW).toBeCloseTo(3 / 2925, 12);
  });

  it('segments carry their own mean power', () => {
    const events = poweredRun();
    events.push({ type: 'policy-switch', t: 10_000, from: 'round-robin', to: 'weighted', segment: 1 });
    const [s0, s1] = storeWith(events).snapshot(20_000).segments;
    expect(s0!.meanPowerW).toBeCloseTo((1200 + 200) / 9, 9); // [1000, 10000]
    expect(s1!.meanPowerW).toBeCloseTo(250, 9); // [10000, 20000]
  });

  it('after readings stop: no power "now", and the window energy is scaled from what was covered', () => {
    const s = storeWith(poweredRun()).snapshot(30_000);
    expect(s.power.powerW).toBeUndefined(); // last reading 10 s old
    // Covered: [1000, 20000] only; the 10 s after the last reading is more than 3 intervals, so not held.
    expect(s.combined.energy.coveredFraction).toBeCloseTo(19 / 29, 12);
    expect(s.combined.energy.joules).toBeCloseTo((JOULES * 29) / 19, 9);
    expect(s.combined.energy.meanPowerW).toBeCloseTo(JOULES / 19, 9);
  });

  it('idle baseline: dynamic energy above it, split like the total', () => {
    const s = storeWith(poweredRun(), { idleBaselineW: 100 }).snapshot(20_000);
    // 3900 J - 100 W x 19 s = 2000 J.
    expect(s.combined.energy).toMatchObject({ dynamicJoules: 2000, dynamicJoulesPerQuery: 500 });
    expect(s.models.A.energy.dynamicJoules).toBe(1500);
    expect(s.models.B.energy.dynamicJoules).toBe(500);
  });

  it('never a fake 0: no telemetry, or only readings without power, gives undefined figures', () => {
    const plain = storeWith([runStart(0), issued(1, 1000), finished(record(1, 1000))]).snapshot(2000);
    expect(plain.power).toEqual({ status: [], devices: [], powerSeries: [], samples: 0 });
    expect(plain.combined.energy).toEqual({ estimated: false });
    expect(plain.models.A.energy).toEqual({ estimated: true });

    const noPower = storeWith([
      runStart(0),
      issued(1, 1000),
      { type: 'telemetry', t: 1500, sample: { source: 'npu-smi', t: 1500, devices: [{ id: 'npu0.0', utilPct: 30 }] } },
      { type: 'telemetry', t: 1500, sample: { source: 'system', t: 1500, devices: [{ id: 'system', utilPct: 30 }] } },
    ]).snapshot(2000);
    expect(noPower.power.powerW).toBeUndefined();
    expect(noPower.power.joules).toBeUndefined();
    expect(noPower.power.devices).toHaveLength(2);
    expect(noPower.combined.energy.joules).toBeUndefined();
  });
});

describe('energy covers exactly the measured window and each segment window', () => {
  /**
   * A stand-in npu-smi reporting a constant 364.8 W every 500 ms, its samples landing
   * 230 ms past each half second (never on an edge). Warm-up from 0, the first measured
   * question at 1000 ms, a policy switch at 6000, run-end at 11570: a 10.57 s window.
   */
  function constantPowerRun(intervalMs: number): RunEvent[] {
    const events: RunEvent[] = [runStart(0), { type: 'telemetry-status', t: 0, status: { source: 'npu-smi', state: 'ok', intervalMs } }];
    for (let t = 230; t < 11_570; t += intervalMs) events.push({ type: 'telemetry', t, sample: { source: 'npu-smi', t, devices: [{ id: 'npu0.0', powerW: 364.8 }] } });
    events.push(issued(0, 10, ['A'], { warmup: true }), finished(record(0, 10, { warmup: true })));
    events.push(issued(1, 1000), finished(record(1, 1000)));
    events.push(issued(2, 3000), finished(record(2, 3000)));
    events.push({ type: 'policy-switch', t: 6000, from: 'round-robin', to: 'large-only', segment: 1 });
    events.push(issued(3, 7000, ['B'], { segment: 1 }), finished(record(3, 7000, { model: 'B', segment: 1 })));
    events.push({ type: 'run-end', t: 11_570, reason: 'finished' });
    return events.sort((a, b) => a.t - b.t);
  }

  for (const intervalMs of [500, 1000]) {
    it(`constant 364.8 W at a ${intervalMs} ms interval: power x time over the window and over each segment`, () => {
      const s = storeWith(constantPowerRun(intervalMs)).snapshot(11_570);
      // 364.8 W x 10.57 s = 3855.936 J (not x 9.88 s between the first and last sample).
      expect(Math.abs(s.power.joules! / 3855.936 - 1)).toBeLessThan(0.005);
      expect(Math.abs(s.combined.energy.joules! / 3855.936 - 1)).toBeLessThan(0.005);
      // Segment 0 from the first measured question (1 s, not run-start) to the switch: 5 s; segment 1: 5.57 s.
      const [s0, s1] = s.segments;
      expect(Math.abs(s0!.joules! / (364.8 * 5) - 1)).toBeLessThan(0.005);
      expect(Math.abs(s1!.joules! / (364.8 * 5.57) - 1)).toBeLessThan(0.005);
      expect(s0!.meanPowerW).toBeCloseTo(364.8, 6);
      // Per question: segment 0 answered 2, the whole run 3.
      expect(s.combined.energy.joulesPerQuery! * 3).toBeCloseTo(s.power.joules!, 6);
    });
  }
});
