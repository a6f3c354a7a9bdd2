/**
 * Run-long bucket counts for Prometheus histograms (`_bucket`, `_sum`, `_count`), kept by
 * the metrics store so the live exporter, replays and reports all have them. Bounds are
 * in the exposed unit (seconds, tokens), chosen like vLLM's: wide enough for a CPU demo
 * (tens of ms per token) and for a loaded accelerator server (minutes end to end).
 */
export const HISTOGRAM_BOUNDS = {
  e2e: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 60, 120, 240],
  ttft: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80],
  tpot: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5],
  itl: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5],
  queue: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80],
  promptTokens: [16, 32, 64, 128, 256, 384, 512, 768, 1024, 2048, 4096, 8192],
  outputTokens: [1, 2, 4, 8, 16, 32, 64, 96, 128, 256, 512, 1024, 2048],
} as const;

export type HistogramName = keyof typeof HISTOGRAM_BOUNDS;

/** Cumulative counts per upper bound (`le`), the last one +Inf (= count), plus the sum. */
export interface HistogramCounts {
  bounds: readonly number[];
  cumulative: number[];
  sum: number;
  count: number;
}

export class Buckets {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    // First bound >= value (le is inclusive), by binary search.
    let lo = 0;
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bounds[mid]! >= value) hi = mid;
      else lo = mid + 1;
    }
    this.counts[lo]!++;
    this.sum += value;
    this.count++;
  }

  view(): HistogramCounts {
    const cumulative: number[] = [];
    let running = 0;
    for (const c of this.counts) cumulative.push((running += c));
    return { bounds: this.bounds, cumulative, sum: this.sum, count: this.count };
  }
}
