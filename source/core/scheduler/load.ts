import type { Clock } from '../clock.js';
import type { LoadSetting } from '../events.js';
import { nextArrivalGapMs } from './arrivals.js';
import type { QuestionOrder } from './order.js';
import type { Random } from './random.js';
import type { TimerHandle, Timers } from './timers.js';

export interface LoadItem<Q> {
  question: Q;
  warmup: boolean;
}

export type LoadEndReason = 'exhausted' | 'duration' | 'stopped';

export interface LoadGeneratorOptions<Q> {
  order: QuestionOrder<Q>;
  load: LoadSetting;
  /** Gamma shape of open-loop gaps: 1 = Poisson. */
  burstiness?: number;
  /** Stop issuing this long after the first measured question. */
  durationMs?: number;
  random: Random;
  clock: Clock;
  timers: Timers;
  /** Releases one question; resolves when it is completely answered. Must not reject. */
  issue(item: LoadItem<Q>): Promise<void>;
}

/**
 * Releases questions: closed loop keeps exactly `concurrency` questions outstanding
 * (a finished one is replaced in the same tick); open loop releases them at gamma/Poisson
 * arrival times regardless of how fast answers come back. Warm-up questions go first and
 * must all finish before the first measured one is released. Load and pause can change
 * at any moment; a changed rate draws a fresh gap from the moment of the change (the
 * process is memoryless, so nothing is lost by redrawing).
 */
export class LoadGenerator<Q> {
  private readonly items: LoadItem<Q>[];
  private cursor = 0;
  private outstandingCount = 0;
  private warmupOutstanding = 0;
  private current: LoadSetting;
  private isPaused = false;
  private started = false;
  private endReason: LoadEndReason | undefined;
  private arrivalTimer: TimerHandle | undefined;
  private durationTimer: TimerHandle | undefined;
  private resolveDrained!: (reason: LoadEndReason) => void;
  private resolveIssuingEnded!: (reason: LoadEndReason) => void;
  /** Resolves when no more questions will be released. */
  readonly issuingEnded: Promise<LoadEndReason>;
  /** Resolves when issuing has ended and every released question is answered. */
  readonly drained: Promise<LoadEndReason>;

  constructor(private readonly options: LoadGeneratorOptions<Q>) {
    this.items = [
      ...options.order.warmup.map((question) => ({ question, warmup: true })),
      ...options.order.measured.map((question) => ({ question, warmup: false })),
    ];
    this.current = options.load;
    this.drained = new Promise((resolve) => (this.resolveDrained = resolve));
    this.issuingEnded = new Promise((resolve) => (this.resolveIssuingEnded = resolve));
  }

  get load(): LoadSetting {
    return this.current;
  }
  get paused(): boolean {
    return this.isPaused;
  }
  get outstanding(): number {
    return this.outstandingCount;
  }
  get issued(): number {
    return this.cursor;
  }
  /** Why issuing ended, once it has. */
  get ended(): LoadEndReason | undefined {
    return this.endReason;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.pump();
  }

  setLoad(load: LoadSetting): void {
    this.current = load;
    this.clearArrival();
    this.pump();
  }

  setPaused(paused: boolean): void {
    this.isPaused = paused;
    if (paused) this.clearArrival();
    else this.pump();
  }

  /** Stops issuing; questions already released still finish. */
  stop(): void {
    this.end('stopped');
  }

  private pump(): void {
    if (!this.started || this.endReason || this.isPaused) return;
    if (this.cursor >= this.items.length) return this.end('exhausted');
    if (this.current.mode === 'closed') {
      while (this.canRelease() && this.outstandingCount < this.current.concurrency) this.release();
      if (this.cursor >= this.items.length) this.end('exhausted');
    } else if (this.arrivalTimer === undefined && this.canRelease()) {
      // The first question of a phase goes at once; later ones after a drawn gap.
      if (this.cursor === 0 || this.cursor === this.options.order.warmup.length) this.arrive();
      else this.scheduleArrival();
    }
  }

  /** False while warm-up questions are still out and the next one is measured. */
  private canRelease(): boolean {
    if (this.cursor >= this.items.length) return false;
    return this.items[this.cursor]!.warmup || this.warmupOutstanding === 0;
  }

  private scheduleArrival(): void {
    if (this.current.mode !== 'open') return;
    const gap = nextArrivalGapMs(this.options.random, this.current.rate, this.options.burstiness ?? 1);
    this.arrivalTimer = this.options.timers.setTimeout(() => {
      this.arrivalTimer = undefined;
      this.arrive();
    }, gap);
  }

  private arrive(): void {
    if (this.endReason || this.isPaused || !this.canRelease()) return;
    this.release();
    if (this.cursor >= this.items.length) return this.end('exhausted');
    if (this.canRelease()) this.scheduleArrival();
  }

  private release(): void {
    const item = this.items[this.cursor++]!;
    this.outstandingCount++;
    if (item.warmup) this.warmupOutstanding++;
    else if (this.durationTimer === undefined && this.options.durationMs !== undefined) {
      this.durationTimer = this.options.timers.setTimeout(() => this.end('duration'), this.options.durationMs);
    }
    void this.options.issue(item).then(() => this.finished(item));
  }

  private finished(item: LoadItem<Q>): void {
    this.outstandingCount--;
    if (item.warmup) this.warmupOutstanding--;
    if (this.endReason) this.checkDrained();
    else this.pump();
  }

  private end(reason: LoadEndReason): void {
    if (this.endReason) return;
    this.endReason = reason;
    this.clearArrival();
    if (this.durationTimer !== undefined) this.options.timers.clearTimeout(this.durationTimer);
    this.resolveIssuingEnded(reason);
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.endReason && this.outstandingCount === 0) this.resolveDrained(this.endReason);
  }

  private clearArrival(): void {
    if (this.arrivalTimer !== undefined) this.options.timers.clearTimeout(this.arrivalTimer);
    this.arrivalTimer = undefined;
  }
}
