import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import { finished, issued, record, runStart } from './fixtures.js';

function twoSwitches(): RunEvent[] {
  const events: RunEvent[] = [runStart(0, 'round-robin')];
  // Segment 0 (round-robin, 0-10 s): e2e 64 ms each; the last one completes after the switch.
  for (const [seq, t, em] of [[1, 1000, 1], [2, 2000, 1], [3, 3000, 0], [4, 9990, 1]] as const) {
    events.push(issued(seq, t), finished(record(seq, t, { em })));
  }
  events.push({ type: 'policy-switch', t: 10_000, from: 'round-robin', to: 'mirror', segment: 1 });
  // Segment 1 (mirror, 10-20 s): e2e 100 and 300 ms.
  events.push(issued(5, 11_000, ['A', 'B'], { segment: 1 }), finished(record(5, 11_000, { segment: 1, policy: 'mirror', tDone: 11_100 })));
  events.push(finished(record(5, 11_000, { segment: 1, policy: 'mirror', model: 'B', tDone: 11_300 })));
  events.push({ type: 'policy-switch', t: 20_000, from: 'mirror', to: 'cascade', segment: 2 });
  // Segment 2 (cascade, from 20 s): 4 questions to A, the last two escalated to B.
  for (const seq of [6, 7, 8, 9]) {
    const t = 20_000 + 1000 * (seq - 6);
    const escalated = seq >= 8;
    events.push(issued(seq, t, ['A'], { segment: 2 }), finished(record(seq, t, { segment: 2, policy: 'cascade', escalated, em: 0 })));
    // As the controller does: both records of an escalated question are marked; B's answer (a hit) is final.
    if (escalated) events.push(finished(record(seq, t, { segment: 2, policy: 'cascade', model: 'B', escalated, tDone: t + 500 })));
  }
  return events;
}

describe('MetricsStore segments', () => {
  it('keeps each policy segment\'s own figures across two switches', () => {
    const store = new MetricsStore({});
    for (const event of twoSwitches()) store.push(event);
    const [s0, s1, s2, ...rest] = store.snapshot(30_000).segments;
    expect(rest).toHaveLength(0);

    // Measured from the first question at 1 s, so segment 0 spans 1-10 s: 4 queries in 9 s.
    expect(s0).toMatchObject({ index: 0, policy: 'round-robin', tStart: 0, tEnd: 10_000, completed: 4, e2eP50: 64, e2eP99: 64, em: 75 });
    expect(s0!.qps).toBeCloseTo(4 / 9, 12);
    expect(s0!.escalationRate).toBeUndefined();
    expect(s0!.meanPowerW).toBeUndefined(); // no telemetry: no power figure

    // One mirrored question: one pair, done when its slower answer (300 ms) is; EM over both answers.
    expect(s1).toMatchObject({ index: 1, policy: 'mirror', tStart: 10_000, tEnd: 20_000, completed: 1, qps: 0.1, em: 100, e2eP50: 300, e2eP99: 300 });

    // Four questions, each counted once with its final answer: 4 in the 10 s to the snapshot.
    expect(s2).toMatchObject({ index: 2, policy: 'cascade', tStart: 20_000, completed: 4, qps: 0.4 });
    // EM counts final answers: A's misses on 6 and 7, B's hits on 8 and 9 (A's superseded misses skipped).
    expect(s2!.em).toBe(50);
    expect(s2!.tEnd).toBeUndefined();
    expect(s2!.escalationRate).toBe(0.5); // 2 of 4 questions
  });

  it('combined accuracy takes a cascade question\'s final answer; model A keeps its own', () => {
    const store = new MetricsStore({});
    for (const event of twoSwitches()) store.push(event);
    const s = store.snapshot(30_000);
    // Records: A 1,2,4 hit, 3 miss (seg 0); A 5 hit, B 5 hit (seg 1); A 6..9 miss, B 8, 9 hit (seg 2).
    expect(s.models.A.accuracy.em).toMatchObject({ n: 9, value: (100 * 4) / 9 });
    expect(s.models.B.accuracy.em).toMatchObject({ n: 3, value: 100 });
    // Combined skips A's superseded answers to 8 and 9 and scores both answers of the mirror pair: 10 answers, 7 hits.
    expect(s.combined.accuracy.em).toMatchObject({ n: 10, value: 70 });
    // One per question: 4 (round-robin) + 1 pair (mirror) + 4 (cascade, final answers).
    expect(s.combined.completed).toBe(9);
    expect(s.done).toBe(9);
  });

  it('the current policy follows the switches', () => {
    const store = new MetricsStore({});
    for (const event of twoSwitches()) store.push(event);
    expect(store.snapshot(30_000).policy).toBe('cascade');
  });
});
