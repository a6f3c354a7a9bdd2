import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full GC before each sample, so the figure is what is still reachable rather than
 * where the collector happened to be (RSS otherwise swings by tens of MiB at this load).
 * `npx tsx` gives no --expose-gc, so the flag is set at run time.
 */
function collector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}
const gc = collector();

/**
 * RSS (and heap) sampled at a fixed interval. Flat: the median of the last three samples
 * is within a bound of the median of the first three after warm-up (medians, because
 * even after a GC the allocator keeps or returns pages in steps).
 */
export interface MemoryVerdict {
  /** Whether samples follow a forced full GC. */
  collected: boolean;
  samplesMiB: number[];
  warmMiB: number;
  lastMiB: number;
  heapWarmMiB: number;
  heapLastMiB: number;
  growthMiB: number;
  boundMiB: number;
  flat: boolean;
}

export class MemorySampler {
  private readonly samples: Array<{ t: number; rss: number; heap: number }> = [];
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
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    let after = this.samples.filter((s) => s.t >= warmupMs);
    if (after.length < 2) after = this.samples.slice(-2);
    const head = after.slice(0, Math.min(3, Math.ceil(after.length / 2)));
    const tail = after.slice(-Math.min(3, Math.floor(after.length / 2)));
    const warm = median(head.map((s) => s.rss));
    const last = median(tail.map((s) => s.rss));
    const growth = mib(last - warm);
    return {
      collected: gc !== undefined,
      samplesMiB: this.samples.map((s) => mib(s.rss)),
      warmMiB: mib(warm),
      lastMiB: mib(last),
      heapWarmMiB: mib(median(head.map((s) => s.heap))),
      heapLastMiB: mib(median(tail.map((s) => s.heap))),
      growthMiB: growth,
      boundMiB,
      flat: growth <= boundMiB,
    };
  }

  private sample(): void {
    gc?.();
    const usage = process.memoryUsage();
    this.samples.push({ t: performance.now() - this.t0, rss: usage.rss, heap: usage.heapUsed });
  }
}
