import { describe, expect, it } from 'vitest';
import { statusJson, statusLine } from '../../../source/core/headless/status.js';
import { summaryText } from '../../../source/core/headless/summary.js';
import type { MeasuringFigures } from '../../../source/core/plane/guard.js';
import { snapshot } from '../../app/fixtures.js';

const bound: MeasuringFigures = {
  latest: { intervalMs: 1000, main: { loopDelayP99Ms: 3, loopDelayMaxMs: 9, utilisation: 0.6 }, sendLag: { p99Ms: 14, maxMs: 20, count: 30 }, verdict: 'bound', inflationMs: 0, reason: 'sends late by p99 14 ms' },
  samples: 50,
  warnSamples: 4,
  boundSamples: 6,
  boundShare: 0.12,
  worstInflationMs: 0.4,
  worstLagMs: 21.5,
};

describe('the measuring guard in headless output', () => {
  it('says on the status line when the client is the bottleneck right now, and why', () => {
    const line = statusLine(snapshot({ measuring: bound }));
    expect(line.endsWith(' | timing CLIENT-BOUND: sends late by p99 14 ms')).toBe(true);
    expect(statusJson(snapshot({ measuring: bound })).timing).toEqual({ verdict: 'bound', inflationMs: 0, reason: 'sends late by p99 14 ms' });
  });

  it('keeps the status line as it was while timings are sound', () => {
    const ok: MeasuringFigures = { ...bound, latest: { ...bound.latest!, verdict: 'ok', inflationMs: 0.4, reason: undefined }, warnSamples: 0, boundSamples: 0, boundShare: 0, worstInflationMs: 0 };
    expect(statusLine(snapshot({ measuring: ok }))).not.toContain('timing');
  });

  it('puts one line in the summary: for how much of the run, and by up to how much', () => {
    const text = summaryText({ reason: 'finished', exitCode: 0, snapshot: snapshot({ measuring: bound }) });
    expect(text).toContain('\ntiming: client-bound for 12% of the run: sends ran up to 22 ms behind schedule (in the from-schedule figures)\n');
  });
});

describe('latency from the schedule in the summary', () => {
  it('gives each model\'s E2E p99 from the schedule with the send lag behind it', async () => {
    const { scheduleLine } = await import('../../../source/core/headless/summary.js');
    const { latencyView, model } = await import('../../app/fixtures.js');
    const a = model('A');
    const withLag = { ...a, latency: { ...a.latency, lag: latencyView({}, { count: 40, p99: 3 }), e2eSched: latencyView({}, { count: 40, p99: 1250 }) } };
    const b = model('B');
    const none = { ...b, latency: { ...b.latency, lag: latencyView({}, { count: 0 }) } };
    expect(scheduleLine(snapshot({ models: { A: withLag, B: none } }))).toBe('from the schedule: A E2E p99 1.25 s (send lag p99 3 ms)');
    expect(scheduleLine(snapshot({ models: { A: { ...withLag, latency: { ...withLag.latency, lag: latencyView({}, { count: 0 }) } }, B: none } }))).toBeUndefined();
  });
});
