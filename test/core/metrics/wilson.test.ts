import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../source/core/metrics/wilson.js';

// Expected values worked by hand from centre = (p + z²/2n)/(1 + z²/n),
// half = z·sqrt(p(1-p)/n + z²/4n²)/(1 + z²/n), z = 1.96.
describe('wilsonInterval', () => {
  it('8 of 10 gives 49.0%..94.3%', () => {
    const { low, high } = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.4902, 4);
    expect(high).toBeCloseTo(0.9433, 4);
  });

  it('0 of 10 starts at exactly 0 and reaches 27.8%', () => {
    const { low, high } = wilsonInterval(0, 10);
    expect(low).toBe(0);
    expect(high).toBeCloseTo(0.2775, 4);
  });

  it('10 of 10 ends at exactly 1 and starts at 72.2%', () => {
    const { low, high } = wilsonInterval(10, 10);
    expect(low).toBeCloseTo(0.7225, 4);
    expect(high).toBe(1);
  });

  it('50 of 100 is symmetric around 50%: 40.4%..59.6%', () => {
    const { low, high } = wilsonInterval(50, 100);
    expect(low).toBeCloseTo(0.4038, 4);
    expect(high).toBeCloseTo(0.5962, 4);
  });

  it('a wider z widens the interval; no data is the whole range', () => {
    expect(wilsonInterval(8, 10, 2.576).low).toBeLessThan(wilsonInterval(8, 10).low);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});
