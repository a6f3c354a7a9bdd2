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
  /**
   * Open loop: at most this many questions outstanding (vLLM's --max-concurrency with a
   * --request-rate). An arrival due while the cap is reached waits for the next answer,
   * keeping its scheduled time, so the wait shows as send lag.
   */
  maxConcurrency?: number;
  /** Stop issuing this long after the first measured question. */
  durationMs?: number;
  /**
   * Open loop: release each question this long before its scheduled arrival, so its prompt
   * is built and the measuring plane can send it on time (default 0: release at arrival).
   */
  leadMs?: number;
  random: Random;
  clock: Clock;
  timers: Timers;
  /**
   * Releases one question due at `tScheduled` (run clock; never later than now + leadMs).
   * Resolves when it is completely answered, with the time that happened when known (a
   * closed loop schedules the next question at that time). Must not reject.
   */
  issue(item: LoadItem<Q>, tScheduled: number): Promise<number | void>;
}

/**
 * Releases questions: closed loop keeps exactly `concurrency` questions outstanding
 * (a finished one is replaced in the same tick, scheduled at the moment its predecessor
 * was answered); open loop releases them at gamma/Poisson arrival times regardless of how
 * fast answers come back. Open-loop arrivals follow an absolute timeline (phase start +
 * the drawn gaps), so a late timer delays one release, never the ones after it: lateness
 * shows as send lag on the record, and never accumulates. Warm-up questions go first and
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
  /** Open loop: when the next arrival is due (run clock), on the absolute timeline. */
  private nextDue: number | undefined;
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
  /** The next `n` questions to be released, in order (for building their prompts ahead). */
  peek(n: number): Q[] {
    return this.items.slice(this.cursor, this.cursor + n).map((item) => item.question);
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
    const redraw = this.arrivalTimer !== undefined;
    this.current = load;
    this.clearArrival();
    if (redraw) this.nextDue = this.options.clock.now() + this.gap();
    this.pump();
  }

  setPaused(paused: boolean): void {
    this.isPaused = paused;
    if (paused) this.clearArrival();
    else {
      if (this.nextDue !== undefined) this.nextDue = this.options.clock.now() + this.gap();
      this.pump();
    }
  }

  /** Stops issuing; questions already released still finish. */
  stop(): void {
    this.end('stopped');
  }

  /** `freedAt`: when the answer that made room was finished (closed loop schedules from it). */
  private pump(freedAt?: number): void {
    if (!this.started || this.endReason || this.isPaused) return;
    if (this.cursor >= this.items.length) return this.end('exhausted');
    const now = this.options.clock.now();
    if (this.current.mode === 'closed') {
      const scheduled = freedAt === undefined ? now : Math.min(freedAt, now);
      while (this.canRelease() && this.outstandingCount < this.current.concurrency) this.release(scheduled);
      if (this.cursor >= this.items.length) this.end('exhausted');
    } else if (this.arrivalTimer === undefined && this.canRelease() && !this.capped()) {
      // The first question of a phase is due at once; later ones a drawn gap after the one before.
      // A phase starts one lead from now, so even its first question is released ahead of time.
      if (this.cursor === 0 || this.cursor === this.options.order.warmup.length) this.nextDue = now + (this.options.leadMs ?? 0);
      else if (this.nextDue === undefined) this.nextDue = now + this.gap(); // switched from a closed loop
      this.scheduleArrival();
    }
  }

  /** Open loop at its concurrency cap: arrivals wait for an answer (finished() pumps again). */
  private capped(): boolean {
    const cap = this.options.maxConcurrency;
    return this.current.mode === 'open' && cap !== undefined && this.outstandingCount >= cap;
  }

  /** False while warm-up questions are still out and the next one is measured. */
  private canRelease(): boolean {
    if (this.cursor >= this.items.length) return false;
    return this.items[this.cursor]!.warmup || this.warmupOutstanding === 0;
  }

  private gap(): number {
    return this.current.mode === 'open' ? nextArrivalGapMs(this.options.random, this.current.rate, this.options.burstiness ?? 1) : 0;
  }

  /** Arms the timer for the arrival due at nextDue (released leadMs early). */
  private scheduleArrival(): void {
    if (this.current.mode !== 'open' || this.nextDue === undefined) return;
    const wait = this.nextDue - (this.options.leadMs ?? 0) - this.options.clock.now();
    this.arrivalTimer = this.options.timers.setTimeout(() => {
      this.arrivalTimer = undefined;
      this.arrive();
    }, Math.max(0, wait));
  }

  private arrive(): void {
    const lead = this.options.leadMs ?? 0;
    // Every arrival already due goes now (a late timer must not hold back the ones after it).
    while (!this.endReason && !this.isPaused && this.canRelease() && !this.capped() && this.nextDue !== undefined && this.nextDue - lead <= this.options.clock.now()) {
      const due = this.nextDue;
      this.release(due);
      if (this.cursor >= this.items.length) return this.end('exhausted');
      // The next arrival is a gap after this one's due time, not after this (maybe late) moment.
      this.nextDue = due + this.gap();
    }
    if (!this.endReason && !this.isPaused && this.canRelease() && !this.capped()) this.scheduleArrival();
  }

  private release(tScheduled: number): void {
    const item = this.items[this.cursor++]!;
    this.outstandingCount++;
    if (item.warmup) this.warmupOutstanding++;
    else if (this.durationTimer === undefined && this.options.durationMs !== undefined) {
      this.durationTimer = this.options.timers.setTimeout(() => this.end('duration'), this.options.durationMs);
    }
    void this.options.issue(item, tScheduled).then((doneAt) => this.finished(item, typeof doneAt === 'number' ? doneAt : undefined));
  }

  private finished(item: LoadItem<Q>, doneAt: number | undefined): void {
    this.outstandingCount--;
    if (item.warmup) this.warmupOutstanding--;
    if (this.endReason) this.checkDrained();
    else this.pump(doneAt);
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
