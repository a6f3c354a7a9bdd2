import type { JsHistogram } from 'hdr-histogram-js';
import { newHistogram, statsFrom, toMicros, type ExactTotals } from './hdr.js';
import type { HistogramBin, LatencyStats, LatencyTrend, LatencyView } from './snapshot.js';
import { logBins } from './log-bins.js';
import { upperBound } from './search.js';

export const WINDOW_10S_MS = 10_000;
export const WINDOW_60S_MS = 60_000;
/** Entries older than this behind the newest one are dropped (the run histogram keeps them). */
const RETENTION_MS = 2 * WINDOW_60S_MS;
const PRUNE_BATCH = 2048;
/** The latency trend: 10 s windows every 5 s, 12 of them (the last ending at t), covering 60 s. */
export const TREND_STEP_MS = 5000;
export const TREND_POINTS = 12;

/**
 * An HDR histogram holding exactly the entries [lo, hi) (absolute indices) of its
 * series: the entries with time in (t - width, t] after sync(t). Moving the window adds
 * and removes single values (integer counts, so the result does not depend on the path
 * taken to reach t: two stores fed the same events give the same figures).
 */
class SlidingHistogram {
  readonly histogram: JsHistogram = newHistogram();
  lo = 0;
  hi = 0;
  private version = 0;
  private cachedVersion = -1;
  private cached: LatencyStats = { count: 0 };

  constructor(readonly widthMs: number) {}

  add(us: number): void {
    this.histogram.recordValue(us);
    this.version++;
  }

  remove(us: number): void {
    this.histogram.recordValueWithCount(us, -1);
    this.version++;
  }

  /** Stats are cached until the content changes (snapshots come 4-10 times a second). */
  stats(totals: () => ExactTotals): LatencyStats {
    if (this.cachedVersion !== this.version) {
      this.cached = statsFrom(this.histogram, totals());
      this.cachedVersion = this.version;
    }
    return this.cached;
  }
}

/**
 * One latency metric of one group: every value with the time it counts at (completion
 * time), a whole-run histogram kept incrementally, and sliding 10 s / 60 s histograms.
 * Values arrive nearly in time order; a late one is inserted in place.
 */
export class LatencySeries {
  private times: number[] = [];
  private micros: number[] = [];
  /** prefix[k] = sum of micros before local index k, cumulative since the series began. */
  private prefix: number[] = [0];
  /** Absolute index of times[0] (entries before it were pruned). */
  private base = 0;
  private newest = -Infinity;

  private readonly run = newHistogram();
  private readonly runTotals: ExactTotals = { count: 0, sumUs: 0, minUs: Infinity, maxUs: -Infinity };
  private runVersion = 0;
  private runCachedVersion = -1;
  private runCached: LatencyStats = { count: 0 };

  private readonly last10s = new SlidingHistogram(WINDOW_10S_MS);
  private readonly last60s = new SlidingHistogram(WINDOW_60S_MS);
  /** Trend points (p50, p99 in ms) by the end of their window: a past window is sorted once, not every tick. */
  private readonly trendCache = new Map<number, [number | null, number | null]>();

  /** Records one value (ms) counted at time t (ms). Negative or non-finite values are ignored. */
  add(t: number, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0 || !Number.isFinite(t)) return;
    const us = toMicros(ms);
    this.run.recordValue(us);
    this.runTotals.count++;
    this.runTotals.sumUs += us;
    this.runTotals.minUs = Math.min(this.runTotals.minUs, us);
    this.runTotals.maxUs = Math.max(this.runTotals.maxUs, us);
    this.runVersion++;

    if (t >= this.newest) {
      this.times.push(t);
      this.micros.push(us);
      this.prefix.push(this.prefix[this.prefix.length - 1]! + us);
    } else {
      this.insertLate(t, us);
    }
    this.newest = Math.max(this.newest, t);
    for (const end of this.trendCache.keys()) if (end >= t) this.trendCache.delete(end);
    this.prune();
  }

  get count(): number {
    return this.runTotals.count;
  }

  /** The view at time t: windows (t - 10 s, t] and (t - 60 s, t], the whole run, and bins of the last 10 s. */
  view(t: number): LatencyView {
    this.sync(this.last10s, t);
    this.sync(this.last60s, t);
    const last10s = this.last10s.stats(() => this.totals(this.last10s));
    return {
      last10s,
      last60s: this.last60s.stats(() => this.totals(this.last60s)),
      run: this.runStats(),
      bins10s: this.bins(this.last10s.lo, this.last10s.hi),
      trend: this.trend(t, last10s),
    };
  }

  /** p50/p99 of the 10 s windows ending at the last TREND_POINTS - 1 whole steps, then of the window ending at t. */
  private trend(t: number, current: LatencyStats): LatencyTrend {
    const p50: (number | null)[] = [];
    const p99: (number | null)[] = [];
    const lastStep = Math.floor(t / TREND_STEP_MS) * TREND_STEP_MS;
    for (const end of this.trendCache.keys()) if (end < lastStep - TREND_POINTS * TREND_STEP_MS) this.trendCache.delete(end);
    for (let k = TREND_POINTS - 2; k >= 0; k--) {
      const end = lastStep - k * TREND_STEP_MS;
      let point = end < t ? this.trendCache.get(end) : undefined;
      if (!point) {
        point = this.windowPercentiles(end);
        if (end < t) this.trendCache.set(end, point);
      }
      p50.push(point[0]);
      p99.push(point[1]);
    }
    p50.push(current.p50 ?? null);
    p99.push(current.p99 ?? null);
    return { stepMs: TREND_STEP_MS, p50, p99 };
  }

  /** Exact nearest-rank p50 and p99 (ms) of the values in (end - 10 s, end]. */
  private windowPercentiles(end: number): [number | null, number | null] {
    const from = Math.max(0, this.local(this.upperBound(end - WINDOW_10S_MS)));
    const to = Math.max(from, this.local(this.upperBound(end)));
    if (to <= from) return [null, null];
    const sorted = Float64Array.from(this.micros.slice(from, to)).sort();
    const rank = (p: number) => sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]! / 1000;
    return [rank(0.5), rank(0.99)];
  }

  runStats(): LatencyStats {
    if (this.runCachedVersion !== this.runVersion) {
      this.runCached = statsFrom(this.run, this.runTotals);
      this.runCachedVersion = this.runVersion;
    }
    return this.runCached;
  }

  private local(absolute: number): number {
    return absolute - this.base;
  }

  /** First absolute index whose time is > t. */
  private upperBound(t: number): number {
    return upperBound(this.times, t) + this.base;
  }

  private sync(window: SlidingHistogram, t: number): void {
    const targetLo = this.upperBound(t - window.widthMs);
    const targetHi = Math.max(targetLo, this.upperBound(t));
    const { lo, hi } = window;
    // Add what is new to the window, remove what left it (the two ranges may be disjoint).
    for (let i = targetLo; i < Math.min(targetHi, lo); i++) window.add(this.micros[this.local(i)]!);
    for (let i = Math.max(targetLo, hi); i < targetHi; i++) window.add(this.micros[this.local(i)]!);
    for (let i = lo; i < Math.min(hi, targetLo); i++) window.remove(this.micros[this.local(i)]!);
    for (let i = Math.max(lo, targetHi); i < hi; i++) window.remove(this.micros[this.local(i)]!);
    window.lo = targetLo;
    window.hi = targetHi;
  }

  private totals(window: SlidingHistogram): ExactTotals {
    const from = this.local(window.lo);
    const to = this.local(window.hi);
    const { minUs, maxUs } = this.range(from, to);
    return { count: to - from, sumUs: this.prefix[to]! - this.prefix[from]!, minUs, maxUs };
  }

  /** Smallest and largest value between two local indices. */
  private range(from: number, to: number): { minUs: number; maxUs: number } {
    let minUs = Infinity;
    let maxUs = -Infinity;
    for (let i = from; i < to; i++) {
      const us = this.micros[i]!;
      if (us < minUs) minUs = us;
      if (us > maxUs) maxUs = us;
    }
    return { minUs, maxUs };
  }

  /** The window's values in the fixed log bins (log-bins.ts), shared by every model and tick. */
  private bins(loAbs: number, hiAbs: number): HistogramBin[] {
    const from = this.local(loAbs);
    const to = this.local(hiAbs);
    if (to <= from) return [];
    const values: number[] = [];
    for (let i = from; i < to; i++) values.push(this.micros[i]! / 1000);
    return logBins(values);
  }

  /** A value completing before the newest one: insert it in place and keep the windows exact. */
  private insertLate(t: number, us: number): void {
    const absolute = this.upperBound(t);
    const at = this.local(absolute);
    this.times.splice(at, 0, t);
    this.micros.splice(at, 0, us);
    this.prefix.length = at + 1;
    for (let i = at; i < this.micros.length; i++) this.prefix.push(this.prefix[i]! + this.micros[i]!);
    for (const window of [this.last10s, this.last60s]) {
      if (absolute < window.lo) {
        window.lo++;
        window.hi++;
      } else if (absolute < window.hi) {
        window.hi++;
        window.add(us);
      }
    }
  }

  /** Drops entries far behind the newest one; the windows still see all they need for t >= newest - 60 s. */
  private prune(): void {
    const stale = this.upperBound(this.newest - RETENTION_MS) - this.base;
    if (stale < PRUNE_BATCH) return;
    const cut = this.base + stale;
    for (const window of [this.last10s, this.last60s]) {
      for (let i = window.lo; i < Math.min(window.hi, cut); i++) window.remove(this.micros[this.local(i)]!);
      window.lo = Math.max(window.lo, cut);
      window.hi = Math.max(window.hi, cut);
    }
    this.times = this.times.slice(stale);
    this.micros = this.micros.slice(stale);
    this.prefix = this.prefix.slice(stale);
    this.base = cut;
  }
}
