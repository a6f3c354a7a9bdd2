/** RSS sampled at a fixed interval; flat means the last sample is within a bound of the first one after warm-up. */
export interface MemoryVerdict {
  samplesMiB: number[];
  warmMiB: number;
  lastMiB: number;
  growthMiB: number;
  boundMiB: number;
  flat: boolean;
}

export class MemorySampler {
  private readonly samples: Array<{ t: number; rss: number }> = [];
  private timer?: ReturnType<typeof setInterval>;
  private readonly t0 = performance.now();

  constructor(private readonly intervalMs: number) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** `warmupMs`: samples before it are start-up (JIT, buffers, first GCs) and not judged. */
  verdict(warmupMs: number, boundMiB: number): MemoryVerdict {
    const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    const warm = this.samples.find((s) => s.t >= warmupMs) ?? this.samples.at(-1)!;
    const last = this.samples.at(-1)!;
    const growth = mib(last.rss - warm.rss);
    return { samplesMiB: this.samples.map((s) => mib(s.rss)), warmMiB: mib(warm.rss), lastMiB: mib(last.rss), growthMiB: growth, boundMiB, flat: growth <= boundMiB };
  }

  private sample(): void {
    this.samples.push({ t: performance.now() - this.t0, rss: process.memoryUsage().rss });
  }
}
