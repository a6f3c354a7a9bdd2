import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import type { RunEvent } from '../events.js';
import { nearestRank } from '../metrics/percentiles.js';
import { judge, type MeasuringSample, type ThreadLoad } from '../plane/guard.js';
import type { MeasuringPlane } from '../plane/plane.js';
import type { PlaneHealth } from '../plane/protocol.js';
import type { QueryRecord } from '../query.js';

export interface MeasuringGuardOptions {
  clock: Clock;
  emit(event: RunEvent): void;
  /** The plane whose client threads stream HTTP answers, when a model uses one. */
  plane?: MeasuringPlane;
  intervalMs?: number;
}

export interface MeasuringGuard {
  /** Every record as it is reported: its send lag counts in the current interval. */
  noteRecord(record: QueryRecord): void;
  stop(): void;
}

const RESOLUTION_MS = 5;

/**
 * Samples, once a second, how loaded the threads that take the run's timings were: the
 * measuring plane's client threads (their own loop delay and busy share, reported by
 * them), the main thread's loop delay, and the send lag of the requests sent, and emits
 * one judged 'measuring' event. Real timers on purpose: it measures the real machine.
 */
export function startMeasuringGuard(options: MeasuringGuardOptions): MeasuringGuard {
  const intervalMs = options.intervalMs ?? 1000;
  const mainDelay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  mainDelay.enable();
  let lastElu = performance.eventLoopUtilization();
  let planeHealth = new Map<number, PlaneHealth>();
  let lags: number[] = [];
  const unlisten = options.plane?.onHealth((health) => planeHealth.set(health.worker, health));

  const timer = setInterval(() => {
    const elu = performance.eventLoopUtilization(lastElu);
    lastElu = performance.eventLoopUtilization();
    const main: ThreadLoad = {
      loopDelayP99Ms: mainDelay.count > 0 ? Math.max(0, mainDelay.percentile(99) / 1e6 - RESOLUTION_MS) : 0,
      loopDelayMaxMs: mainDelay.count > 0 ? Math.max(0, mainDelay.max / 1e6 - RESOLUTION_MS) : 0,
      utilisation: elu.utilization,
    };
    mainDelay.reset();
    const sample: Omit<MeasuringSample, 'verdict' | 'inflationMs' | 'reason'> = { intervalMs, main };
    const worst = busiest([...planeHealth.values()]);
    if (worst && options.plane) sample.plane = { ...worst, workers: options.plane.workerCount };
    if (lags.length > 0) sample.sendLag = lagFigures(lags);
    planeHealth = new Map();
    lags = [];
    options.emit({ type: 'measuring', t: options.clock.now(), sample: judge(sample) });
  }, intervalMs);
  timer.unref();

  return {
    noteRecord(record) {
      if (record.tScheduled !== undefined && record.error === undefined) lags.push(Math.max(0, record.tEnqueued - record.tScheduled));
    },
    stop() {
      clearInterval(timer);
      mainDelay.disable();
      unlisten?.();
    },
  };
}

/** The client thread that was worst off (by loop delay, then busy share). */
function busiest(healths: PlaneHealth[]): (ThreadLoad & { streams: number; chunks: number; busyMs: number }) | undefined {
  let worst: PlaneHealth | undefined;
  for (const h of healths) {
    if (!worst || h.loopDelayP99Ms > worst.loopDelayP99Ms || (h.loopDelayP99Ms === worst.loopDelayP99Ms && h.utilisation > worst.utilisation)) worst = h;
  }
  if (!worst) return undefined;
  const sum = (of: (h: PlaneHealth) => number) => healths.reduce((total, h) => total + of(h), 0);
  return {
    loopDelayP99Ms: worst.loopDelayP99Ms,
    loopDelayMaxMs: Math.max(...healths.map((h) => h.loopDelayMaxMs)),
    utilisation: worst.utilisation,
    streams: sum((h) => h.streams),
    chunks: sum((h) => h.chunks),
    busyMs: sum((h) => h.utilisation * h.intervalMs),
  };
}

/** p99 (nearest rank) and max of one interval's send lags (never empty: an interval without sends has none). */
export function lagFigures(lags: number[]): { p99Ms: number; maxMs: number; count: number } {
  const sorted = [...lags].sort((a, b) => a - b);
  return { p99Ms: nearestRank(sorted, 99)!, maxMs: sorted[sorted.length - 1]!, count: sorted.length };
}
