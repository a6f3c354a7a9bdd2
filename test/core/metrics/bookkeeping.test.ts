import { describe, expect, it } from 'vitest';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import { failed, finished, issued, record, runStart } from './fixtures.js';

/** The store must not remember every question of a long run, only those in flight. */
describe('MetricsStore question bookkeeping', () => {
  it('forgets a question once every model it went to has reported (10k questions, mirrored and cascaded)', () => {
    const store = new MetricsStore();
    store.push(runStart(0, 'cascade'));
    for (let seq = 0; seq < 10_000; seq++) {
      const t = seq * 10;
      if (seq % 3 === 0) {
        store.push(issued(seq, t, ['A', 'B'], { policy: 'mirror' }));
        store.push(finished(record(seq, t, { model: 'A', policy: 'mirror' })));
        expect(store.trackedQuestions).toBe(1);
        store.push(finished(record(seq, t, { model: 'B', policy: 'mirror' })));
      } else if (seq % 3 === 1) {
        // Cascade: A's escalated record, then B's (a failure here).
        store.push(issued(seq, t, ['A'], { policy: 'cascade' }));
        store.push(finished(record(seq, t, { model: 'A', escalated: true, policy: 'cascade' })));
        store.push(failed(record(seq, t, { model: 'B', escalated: true, policy: 'cascade', error: 'timed out' })));
      } else {
        store.push(issued(seq, t, ['B']));
        store.push(finished(record(seq, t, { model: 'B' })));
      }
    }
    expect(store.trackedQuestions).toBe(0);
    const snapshot = store.snapshot(100_000);
    expect(snapshot.issued).toBe(10_000);
    expect(snapshot.done).toBe(10_000);
    expect(snapshot.segments[0]!.escalationRate).toBeCloseTo(3333 / 10_000, 10);
  });

  it('still counts a question once when its records come without query-issued (a partial log)', () => {
    const store = new MetricsStore();
    store.push(runStart(0));
    store.push(finished(record(7, 0, { model: 'A' })));
    store.push(finished(record(7, 0, { model: 'B' })));
    expect(store.snapshot(1000).done).toBe(1);
  });
});
