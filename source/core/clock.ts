import { timerDelay } from './duration.js';
/**
 * The one clock of a run. Times are milliseconds on a monotonic scale
 * (performance.now() of the main thread); `wallStart` anchors them to the wall clock.
 * Injectable so that tests can be exact.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

/** Converts a worker thread's performance.now() to the main thread's scale. */
export function fromOtherTimeOrigin(t: number, otherTimeOrigin: number): number {
  return t + otherTimeOrigin - performance.timeOrigin;
}

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, timerDelay(ms));
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
