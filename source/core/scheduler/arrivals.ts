import { gamma, type Random } from './random.js';

/**
 * Time to the next open-loop arrival, in ms. Gamma-distributed with shape = burstiness
 * and mean 1/rate (as vLLM's benchmark_serving does): burstiness 1 is a Poisson process
 * (exponential gaps), below 1 burstier, above 1 more regular.
 * Variance of the gap: 1 / (rate^2 * burstiness) in s^2.
 */
export function nextArrivalGapMs(random: Random, ratePerSec: number, burstiness = 1): number {
  const meanMs = 1000 / ratePerSec;
  return gamma(random, burstiness, meanMs / burstiness);
}
