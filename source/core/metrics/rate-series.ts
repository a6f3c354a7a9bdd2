import { upperBound } from './search.js';

/**
 * Completion times (and the output tokens of each completion) in time order, for rates
 * over windows ending at any t: q/s and tokens/s over 10 s and 60 s, and the
 * one-per-second sparkline buckets. Counts are exact (no bucketing at push time), so
 * the figures depend only on the events and t.
 */
const RETENTION_MS = 120_000;
const PRUNE_BATCH = 2048;

export class RateSeries {
  private times: number[] = [];
  /** tokenPrefix[k] = output tokens of completions before local index k. */
  private tokenPrefix: number[] = [0];
  private tokens: number[] = [];
  private newest = -Infinity;

  add(t: number, outputTokens: number): void {
    if (t >= this.newest) {
      this.times.push(t);
      this.tokens.push(outputTokens);
      this.tokenPrefix.push(this.tokenPrefix[this.tokenPrefix.length - 1]! + outputTokens);
    } else {
      const at = this.upperBound(t);
      this.times.splice(at, 0, t);
      this.tokens.splice(at, 0, outputTokens);
      this.tokenPrefix.length = at + 1;
      for (let i = at; i < this.tokens.length; i++) this.tokenPrefix.push(this.tokenPrefix[i]! + this.tokens[i]!);
    }
    this.newest = Math.max(this.newest, t);
    const stale = this.upperBound(this.newest - RETENTION_MS);
    if (stale >= PRUNE_BATCH) {
      this.times = this.times.slice(stale);
      this.tokens = this.tokens.slice(stale);
      this.tokenPrefix = this.tokenPrefix.slice(stale);
    }
  }

  /**
   * Many entries at once (one answer's token arrival times and the tokens each carried),
   * merged in place: one pass over the entries after the first new one, not a splice per
   * entry. Non-finite times are dropped.
   */
  addMany(times: readonly number[], weights: readonly number[]): void {
    const pairs: [number, number][] = [];
    times.forEach((t, i) => {
      if (Number.isFinite(t)) pairs.push([t, weights[i] ?? 1]);
    });
    if (pairs.length === 0) return;
    for (let i = 1; i < pairs.length; i++) {
      if (pairs[i]![0] < pairs[i - 1]![0]) {
        pairs.sort((a, b) => a[0] - b[0]);
        break;
      }
    }
    const at = this.upperBound(pairs[0]![0]);
    const tailTimes = this.times.splice(at);
    const tailTokens = this.tokens.splice(at);
    let i = 0;
    let j = 0;
    while (i < tailTimes.length || j < pairs.length) {
      if (j >= pairs.length || (i < tailTimes.length && tailTimes[i]! <= pairs[j]![0])) {
        this.times.push(tailTimes[i]!);
        this.tokens.push(tailTokens[i++]!);
      } else {
        this.times.push(pairs[j]![0]);
        this.tokens.push(pairs[j++]![1]);
      }
    }
    this.tokenPrefix.length = at + 1;
    for (let k = at; k < this.tokens.length; k++) this.tokenPrefix.push(this.tokenPrefix[k]! + this.tokens[k]!);
    this.newest = Math.max(this.newest, pairs[pairs.length - 1]![0]);
    const stale = this.upperBound(this.newest - RETENTION_MS);
    if (stale >= PRUNE_BATCH) {
      this.times = this.times.slice(stale);
      this.tokens = this.tokens.slice(stale);
      this.tokenPrefix = this.tokenPrefix.slice(stale);
    }
  }

  /** Completions and output tokens with time in (from, to]. */
  between(from: number, to: number): { count: number; tokens: number } {
    const lo = this.upperBound(from);
    const hi = Math.max(lo, this.upperBound(to));
    return { count: hi - lo, tokens: this.tokenPrefix[hi]! - this.tokenPrefix[lo]! };
  }

  /** `buckets` one-second counts ending at t, oldest first: bucket k covers (t - (n-k) s, t - (n-k-1) s]. */
  perSecond(t: number, buckets: number): { counts: number[]; tokens: number[] } {
    const counts: number[] = [];
    const tokens: number[] = [];
    for (let k = 0; k < buckets; k++) {
      const slice = this.between(t - (buckets - k) * 1000, t - (buckets - k - 1) * 1000);
      counts.push(slice.count);
      tokens.push(slice.tokens);
    }
    return { counts, tokens };
  }

  private upperBound(t: number): number {
    return upperBound(this.times, t);
  }
}
