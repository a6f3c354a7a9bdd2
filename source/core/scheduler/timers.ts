import type { Clock } from '../clock.js';
import { timerDelay } from '../duration.js';

/**
 * Injectable timers, so the load generator, the controller and the fake engine can run
 * on virtual time in tests (exact, instant) and on real timers in a run.
 */
export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, timerDelay(ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on the given timers, or at once when the signal aborts. */
export function delay(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const handle = timers.setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', done);
      timers.clearTimeout(handle);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface PendingTimer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * A clock plus timers that move only when told: advance(ms) fires every timer that falls
 * due, in time order, letting promise chains settle between them, so code written
 * against real timers runs unchanged and exactly.
 */
export class VirtualTime implements Clock, Timers {
  private pending: PendingTimer[] = [];
  private nextId = 1;

  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.t + Math.max(0, ms), fn };
    this.pending.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.pending = this.pending.filter((timer) => timer.id !== id);
  }

  /** Number of timers waiting. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.pending = this.pending.filter((timer) => timer !== next);
      this.t = next.due;
      next.fn();
      await settle();
    }
    this.t = target;
    await settle();
  }

  /** Advances until no timer is left (or `limitMs` passes); returns the time reached. */
  async runAll(limitMs = 86_400_000): Promise<number> {
    const end = this.t + limitMs;
    await settle();
    for (let next = this.earliest(); next && next.due <= end; next = this.earliest()) {
      await this.advance(next.due - this.t);
    }
    return this.t;
  }

  private earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.pending) if (!best || timer.due < best.due || (timer.due === best.due && timer.id < best.id)) best = timer;
    return best;
  }
}

/** Lets every queued promise continuation run (setImmediate comes after the microtask queue). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
