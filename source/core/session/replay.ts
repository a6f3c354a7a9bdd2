/**
 * Replay: a RunHandle that plays a session log back. A playhead moves along the log's
 * clock at `speed` times real time; every event is pushed into a fresh MetricsStore as
 * the playhead passes its `t`, so snapshot() at playhead p equals the live run's
 * snapshot at time p (the store is a pure fold). Seeking back rebuilds the store from
 * the start. The one difference: `paused` in a snapshot reports the playback.
 * At the end of the log the replay holds (paused on the final state, so it can be
 * inspected); only quit ends it, unless `holdAtEnd: false`.
 */
import { systemClock, type Clock } from '../clock.js';
import type { RunHandle, RunOutcome } from '../controller.js';
import type { RunCommand, RunEvent } from '../events.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { MetricsOptions, MetricsStore } from '../metrics/store.js';
import { systemTimers, type TimerHandle, type Timers } from '../scheduler/timers.js';
import { lastEventTime, metricsOptionsFor, storeUpTo } from './fold.js';
import type { SessionLogData } from './reader.js';

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 64;

export interface ReplayOptions {
  clock?: Clock;
  timers?: Timers;
  /** Playback speed (1 = real time); clamped to [MIN_SPEED, MAX_SPEED]. */
  speed?: number;
  /** Override the store options derived from the header. */
  metrics?: MetricsOptions;
  /** Stay on the final state at the end of the log until quit (default true); false: finish there. */
  holdAtEnd?: boolean;
}

/** Where a segment starts on the log's clock, and what started it. */
export interface TimelineSegment {
  index: number;
  t: number;
  label: string;
}

/** The replay's position: the log's span, the playhead, and every segment of the whole log. */
export interface ReplayTimeline {
  start: number;
  end: number;
  playhead: number;
  /** The playhead reached the end and holds there. */
  atEnd: boolean;
  segments: readonly TimelineSegment[];
}

/** Segment starts of a log: run-start (segment 0) and every event that carries a new segment. */
export function timelineSegments(events: readonly RunEvent[]): TimelineSegment[] {
  const segments: TimelineSegment[] = [];
  for (const e of events) {
    if (e.type === 'run-start') segments.push({ index: 0, t: e.t, label: e.policy });
    else if (e.type === 'policy-switch') segments.push({ index: e.segment, t: e.t, label: e.to });
    else if (e.type === 'load-change' && e.segment !== undefined) segments.push({ index: e.segment, t: e.t, label: e.load.mode === 'closed' ? `c${e.load.concurrency}` : `${e.load.rate} q/s` });
    else if (e.type === 'weight-change' && e.segment !== undefined) segments.push({ index: e.segment, t: e.t, label: `w${e.weight.toFixed(2)}` });
  }
  return segments;
}

export interface ReplayHandle extends RunHandle {
  /** Where the playhead is, on the log's clock (ms). */
  playhead(): number;
  timeline(): ReplayTimeline;
  readonly speed: number;
  readonly paused: boolean;
}

export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed)) return 1;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

export function createReplay(log: Pick<SessionLogData, 'header' | 'events' | 'path'>, options: ReplayOptions = {}): ReplayHandle {
  return new Replay(log, options);
}

class Replay implements ReplayHandle {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly events: readonly RunEvent[];
  private readonly options: MetricsOptions;
  private readonly start: number;
  private readonly end: number;
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private store!: MetricsStore;
  private fed = 0;
  /** Playhead at `anchorClock` (real time); it moves on from there unless paused. */
  private anchorPlayhead: number;
  private anchorClock: number;
  private timer?: TimerHandle;
  private done = false;
  private atEnd = false;
  private readonly holdAtEnd: boolean;
  private readonly segments: TimelineSegment[];
  private resolveFinished!: (outcome: RunOutcome) => void;
  speed: number;
  paused = false;
  readonly finished: Promise<RunOutcome>;
  readonly logPath: string;

  constructor(log: Pick<SessionLogData, 'header' | 'events' | 'path'>, options: ReplayOptions) {
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.events = log.events;
    this.options = options.metrics ?? metricsOptionsFor(log.header);
    this.logPath = log.path;
    this.speed = clampSpeed(options.speed ?? 1);
    this.start = log.events[0]?.t ?? 0;
    this.end = Math.max(this.start, lastEventTime(log.events));
    this.holdAtEnd = (options.holdAtEnd ?? true) && log.events.length > 0;
    this.segments = timelineSegments(log.events);
    this.anchorPlayhead = this.start;
    this.anchorClock = this.clock.now();
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.rebuild(this.start);
    this.schedule();
  }

  playhead(): number {
    if (this.paused || this.done) return this.anchorPlayhead;
    return Math.min(this.end, this.anchorPlayhead + (this.clock.now() - this.anchorClock) * this.speed);
  }

  timeline(): ReplayTimeline {
    const playhead = this.advance();
    return { start: this.start, end: this.end, playhead, atEnd: this.atEnd, segments: this.segments };
  }

  snapshot(): Snapshot {
    const p = this.advance();
    return { ...this.store.snapshot(p), paused: this.paused };
  }

  subscribe(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(command: RunCommand): void {
    if (this.done) return;
    switch (command.type) {
      case 'pause': {
        const p = this.advance();
        this.paused = command.paused ?? !this.paused;
        if (!this.paused && this.atEnd) {
          // Resuming at the end plays the log again from the start.
          this.atEnd = false;
          this.rebuild(this.start);
          this.setAnchor(this.start);
        } else this.setAnchor(p);
        break;
      }
      case 'seek':
        this.seek(command.deltaMs);
        break;
      case 'seekSegment':
        this.seek(this.segmentTarget(command.direction) - this.advance());
        break;
      case 'adjustLoad':
        this.setAnchor(this.advance());
        this.speed = clampSpeed(command.direction > 0 ? this.speed * 2 : this.speed / 2);
        break;
      case 'quit':
        return this.finish('quit');
      default:
        return; // Live-only commands (policy, load, weight, save) mean nothing here.
    }
    this.schedule();
  }

  /**
   * Forward: the next segment's start (the end after the last). Back: this segment's start,
   * or the previous one's when within 2 s of it (so pressing twice keeps going back).
   */
  private segmentTarget(direction: 1 | -1): number {
    const p = this.playhead();
    const starts = this.segments.map((s) => s.t);
    if (direction > 0) return starts.find((t) => t > p) ?? this.end;
    const earlier = starts.filter((t) => t <= p - 2000);
    return earlier.at(-1) ?? this.start;
  }

  private seek(deltaMs: number): void {
    const from = this.advance();
    const to = Math.min(this.end, Math.max(this.start, from + deltaMs));
    if (to < this.end) this.atEnd = false;
    // The store only folds forward: going back means folding again from the start.
    if (to < from) this.rebuild(to);
    else this.feedUpTo(to);
    this.setAnchor(to);
  }

  /** Moves the playhead to now, pushing the events it passed; returns it. */
  private advance(): number {
    const p = this.playhead();
    this.feedUpTo(p);
    if (!this.done && !this.paused && p >= this.end && this.fed >= this.events.length) {
      if (!this.holdAtEnd) this.finish('finished');
      else {
        this.atEnd = true;
        this.paused = true;
        this.setAnchor(p);
      }
    }
    return p;
  }

  private feedUpTo(p: number): void {
    while (this.fed < this.events.length && this.events[this.fed]!.t <= p) {
      const event = this.events[this.fed++]!;
      this.store.push(event);
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // A broken subscriber must not stop the replay.
        }
      }
    }
  }

  private rebuild(p: number): void {
    const { store, fed } = storeUpTo(this.events, p, this.options);
    this.store = store;
    this.fed = fed;
  }

  private setAnchor(p: number): void {
    this.anchorPlayhead = p;
    this.anchorClock = this.clock.now();
  }

  /** One timer, due when the playhead reaches the next event (or the end). */
  private schedule(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.done || this.paused) return;
    const next = this.fed < this.events.length ? this.events[this.fed]!.t : this.end;
    const wait = Math.max(0, (next - this.playhead()) / this.speed);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.advance();
      this.schedule();
    }, wait);
  }

  private finish(reason: 'finished' | 'quit'): void {
    if (this.done) return;
    const p = this.playhead();
    this.feedUpTo(p);
    this.setAnchor(p);
    this.done = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const snapshot = { ...this.store.snapshot(p), paused: this.paused };
    this.resolveFinished({ reason, snapshot, logPath: this.logPath, exitCode: 0, ...(reason === 'finished' ? {} : { detail: 'replay stopped' }) });
  }
}
