import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import { finished, failed, issued, record, runStart, seeded } from './fixtures.js';

/** A seeded, messy run: 10,000 questions over ~1000 s, both models, failures, telemetry, switches, late completions. */
function randomRun(seed: number, questions = 10_000): RunEvent[] {
  const random = seeded(seed);
  const events: RunEvent[] = [runStart(0)];
  let segment = 0;
  let nextTelemetry = 0;
  for (let seq = 0; seq < questions; seq++) {
    const t = 500 + seq * 100 + Math.floor(random() * 50);
    while (nextTelemetry <= t) {
      events.push({ type: 'telemetry', t: nextTelemetry, sample: { source: 'npu-smi', t: nextTelemetry, devices: [{ id: 'npu0.0', powerW: 80 + random() * 120 }] } });
      events.push({ type: 'engine-load', t: nextTelemetry, model: random() < 0.5 ? 'A' : 'B', queued: Math.floor(random() * 5), running: 1, batchSize: 1 });
      nextTelemetry += 1000;
    }
    if (seq > 0 && seq % 2500 === 0) {
      segment++;
      events.push({ type: 'policy-switch', t, from: 'x', to: segment === 2 ? 'cascade' : 'weighted', segment });
    }
    const model = random() < 0.6 ? 'A' : 'B';
    const warmup = seq < 5;
    events.push(issued(seq, t, [model], { segment, warmup }));
    const e2e = 30 + Math.floor(random() ** 3 * 3000);
    const r = record(seq, t, { model, segment, warmup, tDone: t + e2e, em: random() < 0.7 ? 1 : 0, f1: random(), answerable: random() < 0.5, escalated: random() < 0.2 && model === 'B' });
    events.push(random() < 0.02 ? failed({ ...r, timedOut: random() < 0.5 }) : finished(r));
  }
  // (An escalated A record is always followed by B's, which is final; here only B's are marked.)
  // Completions are not in issue order: sort by event time, as the controller would emit them.
  return events.sort((a, b) => a.t - b.t);
}

// The cost of a snapshot at scale is measured by bench/harness.ts (a benchmark's job, not a test's).
describe('MetricsStore determinism', () => {
  it('two stores fed the same events give deep-equal snapshots, whatever snapshots were taken before', () => {
    const events = randomRun(7, 3000);
    const watched = new MetricsStore({ slo: { e2eMs: 1000, ttftMs: 50 } });
    const quiet = new MetricsStore({ slo: { e2eMs: 1000, ttftMs: 50 } });
    events.forEach((event, i) => {
      watched.push(event);
      quiet.push(event);
      if (i % 97 === 0) watched.snapshot(event.t + 250);
      if (i % 1009 === 0) watched.snapshot(event.t - 30_000); // a look back (replay seek)
    });
    const end = events[events.length - 1]!.t;
    for (const t of [end, end - 5000, end + 12_000]) {
      const a = watched.snapshot(t);
      const b = quiet.snapshot(t);
      expect(a).toStrictEqual(b);
      expect(JSON.parse(JSON.stringify(a))).toEqual(a); // plain data
    }
    const s = quiet.snapshot(end);
    expect(s.combined.completed + s.combined.errors + s.combined.timeouts).toBe(2995); // 3000 minus 5 warm-up
    expect(s.segments).toHaveLength(2);
    expect(s.combined.energy.joules).toBeGreaterThan(0);
  });
});
