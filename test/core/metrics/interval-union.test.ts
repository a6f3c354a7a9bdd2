import { describe, expect, it } from 'vitest';
import { IntervalUnion } from '../../../source/core/metrics/interval-union.js';

describe('IntervalUnion (busy time)', () => {
  it('counts overlapping intervals once and clips to the window', () => {
    const busy = new IntervalUnion();
    busy.add(100, 200);
    busy.add(150, 250); // overlaps: union [100, 250]
    busy.add(400, 500);
    busy.add(250, 260); // touches: union [100, 260]
    expect(busy.coveredMs({ start: 0, end: 1000 })).toBe(260);
    expect(busy.coveredMs({ start: 180, end: 450 })).toBe(80 + 50);
    expect(busy.coveredMs({ end: 1000 })).toBe(0); // measured window not started
  });

  it('merges an interval arriving out of order across several existing ones', () => {
    const busy = new IntervalUnion();
    busy.add(0, 10);
    busy.add(20, 30);
    busy.add(40, 50);
    busy.add(5, 45); // swallows all three: [0, 50]
    busy.add(-5, -5); // empty, ignored
    expect(busy.coveredMs({ start: -100, end: 100 })).toBe(50);
  });
});
