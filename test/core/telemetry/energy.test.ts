import { describe, expect, it } from 'vitest';
import { energyFigures, integrateEnergy, medianInterval, splitByBusyTime } from '../../../source/core/telemetry/energy.js';

const p = (t: number, powerW: number) => ({ t, powerW });
const steady = [p(0, 100), p(1000, 100), p(2000, 200), p(3000, 200)];

describe('integrateEnergy', () => {
  it('sums trapezoids: 100 + 150 + 200 J over three 1 s steps', () => {
    expect(integrateEnergy(steady, 0, 3000)).toEqual({ joules: 450, samples: 4, coveredMs: 3000 });
  });

  it('clips to the window, interpolating power at its edges', () => {
    // [500, 1000] at 100 W = 50 J; [1000, 2000] = 150 J; [2000, 2500] at 200 W = 100 J.
    expect(integrateEnergy(steady, 500, 2500)).toEqual({ joules: 300, samples: 2, coveredMs: 2000 });
    // Inside one step: power ramps 150 -> 200 W over 0.5 s = 87.5 J.
    expect(integrateEnergy(steady, 1500, 2000).joules).toBeCloseTo(87.5, 9);
  });

  it('handles irregular intervals (median 500 ms, so a 1.5 s step is still bridged)', () => {
    const irregular = [p(0, 10), p(500, 20), p(2000, 20), p(2300, 50)];
    // 15 W x 0.5 s + 20 W x 1.5 s + 35 W x 0.3 s = 7.5 + 30 + 10.5
    const result = integrateEnergy(irregular, 0, 2300);
    expect(result.joules).toBeCloseTo(48, 9);
    expect(result.coveredMs).toBe(2300);
    expect(medianInterval(irregular)).toBe(500);
  });

  it('does not bridge a gap longer than 3x the median interval', () => {
    const gappy = [p(0, 100), p(1000, 100), p(2000, 100), p(10_000, 100), p(11_000, 100)];
    // Bridged: [0, 2000] and [10000, 11000]; the 8 s hole is neither energy nor coverage.
    expect(integrateEnergy(gappy, 0, 11_000)).toEqual({ joules: 300, samples: 5, coveredMs: 3000 });
    // An explicit maxGapMs overrides the median rule.
    expect(integrateEnergy(gappy, 0, 11_000, { maxGapMs: 10_000 }).joules).toBe(1100);
  });

  it('holds the nearest reading at the edges for at most the bridgeable gap', () => {
    const late = [p(1000, 50), p(2000, 50), p(3000, 50)];
    // 0.5 s held before, 2 s of readings, 0.8 s held after: 3.3 s x 50 W.
    expect(integrateEnergy(late, 500, 3800)).toEqual({ joules: 165, samples: 3, coveredMs: 3300 });
    // 7 s after the last reading is beyond 3 s: only the leading 1 s is held.
    expect(integrateEnergy(late, 0, 10_000)).toEqual({ joules: 150, samples: 3, coveredMs: 3000 });
  });

  it('sorts out-of-order readings and averages duplicate timestamps', () => {
    const messy = [p(2000, 200), p(0, 100), p(1000, 50), p(1000, 150)];
    // Same as 100 W, 100 W, 200 W at 0, 1, 2 s: 100 + 150 J.
    expect(integrateEnergy(messy, 0, 2000)).toEqual({ joules: 250, samples: 3, coveredMs: 2000 });
  });

  it('gives nothing for no readings, one reading, or an empty window', () => {
    expect(integrateEnergy([], 0, 1000)).toEqual({ joules: 0, samples: 0, coveredMs: 0 });
    expect(integrateEnergy([p(500, 80)], 0, 1000)).toEqual({ joules: 0, samples: 1, coveredMs: 0 });
    expect(integrateEnergy(steady, 2000, 2000).joules).toBe(0);
    expect(integrateEnergy(steady, 3000, 1000).joules).toBe(0);
  });
});

describe('splitByBusyTime', () => {
  it('splits in proportion to busy time', () => {
    expect(splitByBusyTime(100, { A: 3000, B: 1000 })).toEqual({ A: 75, B: 25 });
    expect(splitByBusyTime(90, { A: 0, B: 500 })).toEqual({ A: 0, B: 90 });
  });

  it('splits evenly when neither model was busy', () => {
    expect(splitByBusyTime(10, { A: 0, B: 0 })).toEqual({ A: 5, B: 5 });
  });
});

describe('energyFigures', () => {
  it('derives the efficiency figures', () => {
    // 500 J over 10 s = 50 W; 5 q/s / 50 W = 0.1 q/s/W; 500/50, 500/20, 400/500.
    expect(energyFigures({ joules: 500, completed: 50, correct: 20, outputTokens: 400, durationS: 10 })).toEqual({
      meanPowerW: 50,
      qpsPerW: 0.1,
      joulesPerQuery: 10,
      joulesPerCorrect: 25,
      tokensPerJoule: 0.8,
    });
  });

  it('leaves a figure undefined when its denominator is 0', () => {
    const figures = energyFigures({ joules: 0, completed: 0, correct: 0, outputTokens: 0, durationS: 0 });
    expect(figures).toEqual({ meanPowerW: undefined, qpsPerW: undefined, joulesPerQuery: undefined, joulesPerCorrect: undefined, tokensPerJoule: undefined });
    expect(energyFigures({ joules: 100, completed: 4, correct: 0, outputTokens: 8, durationS: 2 }).joulesPerCorrect).toBeUndefined();
  });
});
