import { describe, expect, it } from 'vitest';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';
import { goldEngine, makeProfile, makeQuestions, startHarness } from './harness.js';

describe('a run at a rate capped by a concurrency (workload.load.maxConcurrency, --max-concurrency with --rate)', () => {
  it('never has more than the cap of questions between issue and answer, and the waiting shows as send lag', async () => {
    const time = new VirtualTime();
    // 100 q/s offered against answers of 50 ms and a cap of 2: at most 2 at a time, 40 q/s served.
    const profile = makeProfile({ workload: { limit: 20, load: { mode: 'open', rate: 100, maxConcurrency: 2 } }, scheduler: { policy: 'small-only' } });
    const h = await startHarness({ profile, time, engines: { A: goldEngine(time, 'A', { prefillMs: 50, perTokenMs: 0, capacity: 8 }), B: goldEngine(time, 'B') }, questions: makeQuestions(20, 0) });
    await time.runAll();
    await h.run.finished;
    const records = h.records();
    expect(records).toHaveLength(20);
    const inFlightAt = (t: number) => records.filter((r) => r.tIssued <= t && t < r.tDone).length;
    expect(Math.max(...records.map((r) => inFlightAt(r.tIssued)))).toBe(2);
    // Later questions were due long before a slot freed: their send lag grows with the backlog.
    const lags = records.map((r) => r.tEnqueued - (r.tScheduled ?? r.tEnqueued));
    expect(Math.max(...lags)).toBeGreaterThan(200);
  });
});
