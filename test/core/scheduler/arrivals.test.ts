import { describe, expect, it } from 'vitest';
import { nextArrivalGapMs } from '../../../source/core/scheduler/arrivals.js';
import { createRandom, shuffled } from '../../../source/core/scheduler/random.js';

function moments(samples: number[]): { mean: number; variance: number } {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1);
  return { mean, variance };
}

describe('open-loop arrival gaps', () => {
  // Gamma(shape k, mean 1/rate): variance = 1 / (rate^2 k). In ms: mean 1000/rate, variance 1e6/(rate^2 k).
  it.each([
    { rate: 5, burstiness: 1, mean: 200, variance: 40_000 }, // Poisson: exponential gaps, variance = mean^2
    { rate: 20, burstiness: 2, mean: 50, variance: 1_250 },
    // Bursty gaps have heavy tails: the sample variance's own standard error at 10,000
    // samples is ~3.7% (fourth moment 15 sigma^4), too close to 5%, so this one takes 100,000.
    { rate: 5, burstiness: 0.5, mean: 200, variance: 80_000, samples: 100_000 },
  ])('rate $rate burstiness $burstiness: mean and variance within 5% of theory', ({ rate, burstiness, mean, variance, samples: count = 10_000 }) => {
    const random = createRandom(42);
    const samples = Array.from({ length: count }, () => nextArrivalGapMs(random, rate, burstiness));
    const measured = moments(samples);
    expect(Math.abs(measured.mean - mean) / mean).toBeLessThan(0.05);
    expect(Math.abs(measured.variance - variance) / variance).toBeLessThan(0.05);
    expect(Math.min(...samples)).toBeGreaterThan(0);
  });

  it('is reproducible from the seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => nextArrivalGapMs(random, 2));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
});

describe('shuffled', () => {
  it('permutes every element exactly once and leaves the input alone', () => {
    const input = Array.from({ length: 50 }, (_, i) => i);
    const out = shuffled(input, createRandom(3));
    expect(out).not.toEqual(input);
    expect([...out].sort((a, b) => a - b)).toEqual(input);
    expect(input[0]).toBe(0);
  });
});
