/**
 * Wilson score interval for a binomial proportion (fractions 0-1). Preferred over the
 * normal approximation because it stays inside [0, 1] and behaves at small n and at
 * 0% / 100%, which is exactly where a live EM figure spends its first seconds.
 * With n = 0 nothing is known: the interval is the whole [0, 1].
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}
