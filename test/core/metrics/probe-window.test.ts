import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import { finished, issued, record, runStart } from './fixtures.js';

function storeWith(events: RunEvent[], slo = { e2eMs: 100 }): MetricsStore {
  const store = new MetricsStore({ slo });
  for (const event of events) store.push(event);
  return store;
}

describe('segments started by load and weight changes', () => {
  it('a load change and a weight change each start a segment that carries its setting', () => {
    const store = storeWith([
      runStart(0),
      issued(1, 100),
      finished(record(1, 100)),
      { type: 'load-change', t: 1000, load: { mode: 'open', rate: 4 }, segment: 1 },
      issued(2, 1100, ['A'], { segment: 1 }),
      finished(record(2, 1100, { segment: 1 })),
      { type: 'weight-change', t: 2000, weight: 0.8, segment: 2 },
    ]);
    const [s0, s1, s2, ...rest] = store.snapshot(3000).segments;
    expect(rest).toEqual([]);
    expect(s0).toMatchObject({ index: 0, load: { mode: 'closed', concurrency: 2 }, weight: 0.5, tEnd: 1000, completed: 1 });
    expect(s1).toMatchObject({ index: 1, policy: 'round-robin', load: { mode: 'open', rate: 4 }, weight: 0.5, tStart: 1000, tEnd: 2000, completed: 1 });
    expect(s2).toMatchObject({ index: 2, load: { mode: 'open', rate: 4 }, weight: 0.8, tStart: 2000, completed: 0 });
    expect(s1!.probe).toBeUndefined();
  });

  it('a load change from an older log (no segment) changes the load but starts no segment', () => {
    const store = storeWith([runStart(0), { type: 'load-change', t: 1000, load: { mode: 'open', rate: 4 } }]);
    const snapshot = store.snapshot(2000);
    expect(snapshot.load).toEqual({ mode: 'open', rate: 4 });
    expect(snapshot.segments.map((s) => s.index)).toEqual([0]);
  });
});

describe('probe windows', () => {
  it('measures only the questions after the warm-up ones and within the count, each from its own issue', () => {
    const probe = { skip: 1, count: 3, attainment: 0.9 };
    const store = storeWith([
      runStart(0),
      { type: 'load-change', t: 1000, load: { mode: 'open', rate: 2 }, segment: 1, probe },
      issued(1, 1000, ['A'], { segment: 1 }), // warm-up of the probe
      finished(record(1, 1000, { segment: 1, em: 0 })),
      issued(2, 1500, ['A'], { segment: 1 }), // backlog 0 before it
      issued(3, 2000, ['A'], { segment: 1 }), // backlog 1
      issued(4, 2500, ['A'], { segment: 1 }), // backlog 2
      finished(record(2, 1500, { segment: 1 })), // e2e 64 ms: on time, correct
      finished(record(3, 2000, { segment: 1, tDone: 2150, f1: 0.5 })), // e2e 150 ms: late, correct
      { type: 'query-failed', t: 2600, record: { ...record(4, 2500, { segment: 1 }), tDone: 2600, error: 'boom', em: undefined, f1: undefined } },
      issued(5, 3000, ['A'], { segment: 1 }), // cool-down
      finished(record(5, 3000, { segment: 1, tDone: 9000 })),
    ]);
    const probeFigures = store.snapshot(10_000).segments[1]!.probe!;
    expect(probeFigures).toMatchObject({
      skip: 1,
      count: 3,
      attainment: 0.9,
      issued: 3,
      done: 3,
      failed: 1,
      withinSlo: 1,
      correct: 2,
      correctWithinSlo: 1,
      f1: 75, // (100 + 50) / 2 answered
      e2eP99: 150, // the exact maximum; p50 within HDR's 0.1%
      ttftP50: 18, // first token 20 ms after the issue, 18 after the send
      tFirstIssue: 1500,
      tLastIssue: 2500,
      tLastDone: 2600,
      tNextIssue: 3000, // the first cool-down question
      backlogFirst: 0,
      backlogLast: 2,
    });
    expect(probeFigures.e2eP50! / 64).toBeCloseTo(1, 2);
    // Backlog 0, 1, 2 at 0, 0.5, 1 s: it grows by 2 questions a second.
    expect(probeFigures.backlogSlope).toBeCloseTo(2, 12);
  });

  it('answers arriving after the next segment started are left out: the probe stays as it was judged', () => {
    const probe = { skip: 0, count: 2, attainment: 0.9 };
    const store = storeWith([
      runStart(0),
      { type: 'load-change', t: 1000, load: { mode: 'open', rate: 2 }, segment: 1, probe },
      issued(1, 1000, ['A'], { segment: 1 }),
      issued(2, 1500, ['A'], { segment: 1 }),
      finished(record(1, 1000, { segment: 1 })),
      { type: 'load-change', t: 2000, load: { mode: 'open', rate: 4 }, segment: 2 },
      finished(record(2, 1500, { segment: 1, tDone: 2100 })),
    ]);
    expect(store.snapshot(3000).segments[1]!.probe).toMatchObject({ issued: 2, done: 1, withinSlo: 1 });
  });

  it('a cascade question is judged from its first issue to the large model\'s answer', () => {
    const probe = { skip: 0, count: 1, attainment: 0.9 };
    const base = { segment: 1, policy: 'cascade', escalated: true };
    const store = storeWith([
      runStart(0, 'cascade'),
      { type: 'load-change', t: 1000, load: { mode: 'open', rate: 1 }, segment: 1, probe },
      issued(1, 1000, ['A'], { segment: 1, policy: 'cascade' }),
      // A answers (superseded) at 1064; B is re-asked at 1070 and answers at 1134: 64 ms from its
      // re-issue, but 134 ms from the question's issue, past the 100 ms SLO.
      finished(record(1, 1000, { ...base, em: 0 })),
      finished(record(1, 1070, { ...base, model: 'B' })),
    ]);
    expect(store.snapshot(2000).segments[1]!.probe).toMatchObject({ issued: 1, done: 1, withinSlo: 0, correct: 1, e2eP50: 134 });
  });

  it('a mirrored question is done when both answers are in, on time only when both are', () => {
    const probe = { skip: 0, count: 1, attainment: 0.9 };
    const store = storeWith([
      runStart(0, 'mirror'),
      { type: 'load-change', t: 1000, load: { mode: 'closed', concurrency: 1 }, segment: 1, probe },
      issued(1, 1000, ['A', 'B'], { segment: 1, policy: 'mirror' }),
      finished(record(1, 1000, { segment: 1, policy: 'mirror', em: 0 })),
    ]);
    expect(store.snapshot(1100).segments[1]!.probe).toMatchObject({ issued: 1, done: 0 });
    store.push(finished(record(1, 1000, { segment: 1, policy: 'mirror', model: 'B', tDone: 1200 })));
    expect(store.snapshot(1300).segments[1]!.probe).toMatchObject({ issued: 1, done: 1, withinSlo: 0, correct: 1, e2eP99: 200 });
  });
});
