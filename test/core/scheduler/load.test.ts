import { describe, expect, it } from 'vitest';
import type { LoadSetting } from '../../../source/core/events.js';
import { nextArrivalGapMs } from '../../../source/core/scheduler/arrivals.js';
import { LoadGenerator, type LoadItem } from '../../../source/core/scheduler/load.js';
import { createRandom } from '../../../source/core/scheduler/random.js';
import { delay, VirtualTime } from '../../../source/core/scheduler/timers.js';

interface Harness {
  time: VirtualTime;
  generator: LoadGenerator<number>;
  issued: Array<{ t: number; question: number; warmup: boolean; outstandingBefore: number }>;
  finished: number[];
}

/** A generator over questions 0..n-1 whose answers take serviceMs(question) of virtual time. */
function harness(options: { n: number; warmup?: number; load: LoadSetting; serviceMs: (q: number) => number; durationMs?: number; seed?: number }): Harness {
  const time = new VirtualTime();
  const issued: Harness['issued'] = [];
  const finished: number[] = [];
  const questions = Array.from({ length: options.n }, (_, i) => i);
  const warmup = options.warmup ?? 0;
  const generator: LoadGenerator<number> = new LoadGenerator<number>({
    order: { warmup: questions.slice(0, warmup), measured: questions.slice(warmup) },
    load: options.load,
    durationMs: options.durationMs,
    random: createRandom(options.seed ?? 1),
    clock: time,
    timers: time,
    issue: async (item: LoadItem<number>) => {
      issued.push({ t: time.now(), question: item.question, warmup: item.warmup, outstandingBefore: generator.outstanding - 1 });
      await delay(time, options.serviceMs(item.question));
      finished.push(item.question);
    },
  });
  return { time, generator, issued, finished };
}

describe('LoadGenerator, closed loop', () => {
  it('keeps exactly N outstanding until the questions run out, replacing each answer at once', async () => {
    const h = harness({ n: 20, load: { mode: 'closed', concurrency: 3 }, serviceMs: (q) => 10 + ((q * 7) % 13) });
    h.generator.start();
    expect(h.generator.outstanding).toBe(3);
    const seen: number[] = [];
    while (h.generator.ended === undefined) {
      await h.time.advance(1);
      seen.push(h.generator.outstanding);
    }
    expect(seen.every((n) => n === 3)).toBe(true);
    // Every replacement was issued at the very moment a previous answer finished.
    expect(h.issued.slice(3).every((entry) => entry.outstandingBefore === 2)).toBe(true);
    await h.time.runAll();
    expect(await h.generator.drained).toBe('exhausted');
    expect(h.finished.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('follows a concurrency change mid-run, up at once and down as answers drain', async () => {
    const h = harness({ n: 100, load: { mode: 'closed', concurrency: 2 }, serviceMs: () => 10 });
    h.generator.start();
    await h.time.advance(25);
    h.generator.setLoad({ mode: 'closed', concurrency: 5 });
    expect(h.generator.outstanding).toBe(5);
    h.generator.setLoad({ mode: 'closed', concurrency: 1 });
    expect(h.generator.outstanding).toBe(5);
    await h.time.advance(10);
    expect(h.generator.outstanding).toBe(1);
  });

  it('runs warm-up questions first and releases measured ones only after all warm-up ones finish', async () => {
    const h = harness({ n: 6, warmup: 2, load: { mode: 'closed', concurrency: 4 }, serviceMs: (q) => (q === 1 ? 50 : 10) });
    h.generator.start();
    await h.time.runAll();
    expect(h.issued.map((e) => [e.question, e.warmup, e.t])).toEqual([
      [0, true, 0],
      [1, true, 0],
      [2, false, 50],
      [3, false, 50],
      [4, false, 50],
      [5, false, 50],
    ]);
  });

  it('pauses issuing while answers in flight finish, and resumes', async () => {
    const h = harness({ n: 10, load: { mode: 'closed', concurrency: 2 }, serviceMs: () => 10 });
    h.generator.start();
    h.generator.setPaused(true);
    await h.time.advance(30);
    expect(h.issued).toHaveLength(2);
    expect(h.generator.outstanding).toBe(0);
    h.generator.setPaused(false);
    expect(h.issued).toHaveLength(4);
  });

  it('stops issuing at the duration, counted from the first measured question', async () => {
    const h = harness({ n: 1000, warmup: 1, load: { mode: 'closed', concurrency: 1 }, serviceMs: () => 10, durationMs: 100 });
    h.generator.start();
    await h.time.runAll();
    expect(await h.generator.drained).toBe('duration');
    // Warm-up 0-10 ms; the duration runs 10-110 ms, one question per 10 ms.
    expect(h.issued.filter((e) => !e.warmup).map((e) => e.t)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });
});

describe('LoadGenerator, open loop', () => {
  it('issues at seeded gamma arrival times regardless of how slow the answers are', async () => {
    const h = harness({ n: 8, load: { mode: 'open', rate: 10 }, serviceMs: () => 1000, seed: 9 });
    h.generator.start();
    await h.time.runAll();
    const random = createRandom(9);
    const expected = [0];
    for (let i = 1; i < 8; i++) expected.push(expected[i - 1]! + nextArrivalGapMs(random, 10));
    expect(h.issued.map((e) => e.t)).toEqual(expected);
    expect(Math.max(...h.issued.map((e) => e.outstandingBefore))).toBeGreaterThan(2);
    expect(await h.generator.drained).toBe('exhausted');
  });

  it('redraws the next gap at a new rate from the moment of the change', async () => {
    const h = harness({ n: 1000, load: { mode: 'open', rate: 1 }, serviceMs: () => 1 });
    h.generator.start();
    await h.time.advance(1);
    h.generator.setLoad({ mode: 'open', rate: 1000 });
    await h.time.advance(1000);
    // ~1000 arrivals in a second at 1000 q/s (Poisson: sd ~32).
    expect(h.issued.length).toBeGreaterThan(850);
    expect(h.issued.length).toBeLessThan(1001);
  });

  it('issues nothing while paused', async () => {
    const h = harness({ n: 1000, load: { mode: 'open', rate: 100 }, serviceMs: () => 1 });
    h.generator.start();
    h.generator.setPaused(true);
    const before = h.issued.length;
    await h.time.advance(5000);
    expect(h.issued.length).toBe(before);
    h.generator.stop();
    expect(await h.generator.drained).toBe('stopped');
  });
});

describe('LoadGenerator, schedule-true arrivals', () => {
  /** Virtual timers that fire every callback `lateMs(n)` late, as a busy thread would. */
  function lateTimers(time: VirtualTime, lateMs: (n: number) => number) {
    let n = 0;
    return { setTimeout: (fn: () => void, ms: number) => time.setTimeout(fn, ms + lateMs(n++)), clearTimeout: (h: Parameters<VirtualTime['clearTimeout']>[0]) => time.clearTimeout(h) };
  }

  it('keeps the absolute timeline when every timer fires late: lateness never accumulates', async () => {
    const time = new VirtualTime();
    const released: Array<{ t: number; scheduled: number }> = [];
    const generator = new LoadGenerator<number>({
      order: { warmup: [], measured: Array.from({ length: 200 }, (_, i) => i) },
      load: { mode: 'open', rate: 50 },
      random: createRandom(3),
      clock: time,
      // 0-7 ms late, every time: with gaps timed from the late issue this drifts by ~3.5 ms per arrival.
      timers: lateTimers(time, (n) => n % 8),
      issue: async (_item, scheduled) => {
        released.push({ t: time.now(), scheduled });
      },
    });
    generator.start();
    await time.runAll();
    expect(released).toHaveLength(200);
    const random = createRandom(3);
    const ideal = [0];
    for (let i = 1; i < 200; i++) ideal.push(ideal[i - 1]! + nextArrivalGapMs(random, 50));
    // Scheduled times are the ideal timeline exactly; each release is at most one timer's lateness behind it.
    for (let i = 0; i < 200; i++) expect(released[i]!.scheduled).toBeCloseTo(ideal[i]!, 9);
    const lags = released.map((r) => r.t - r.scheduled);
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lags)).toBeLessThanOrEqual(7 + 1e-9);
    // No drift: the last release is as close to its schedule as the first ones.
    expect(lags.at(-1)!).toBeLessThanOrEqual(7 + 1e-9);
  });

  it('releases each question leadMs before its arrival, carrying the arrival as its schedule', async () => {
    const time = new VirtualTime();
    const released: Array<{ t: number; scheduled: number }> = [];
    const generator = new LoadGenerator<number>({
      order: { warmup: [], measured: [0, 1, 2, 3] },
      load: { mode: 'open', rate: 10 },
      random: createRandom(5),
      clock: time,
      timers: time,
      leadMs: 30,
      issue: async (_item, scheduled) => void released.push({ t: time.now(), scheduled }),
    });
    generator.start();
    await time.runAll();
    const random = createRandom(5);
    // The phase starts one lead (30 ms) from now, so the first question too is released ahead.
    const ideal = [30];
    for (let i = 1; i < 4; i++) ideal.push(ideal[i - 1]! + nextArrivalGapMs(random, 10));
    expect(released.map((r) => r.scheduled)).toEqual(ideal);
    expect(released.map((r) => r.t)).toEqual(ideal.map((d) => d - 30));
  });

  it('schedules a closed loop\'s replacement at the moment its predecessor was answered', async () => {
    const time = new VirtualTime();
    const released: Array<{ q: number; t: number; scheduled: number }> = [];
    const generator = new LoadGenerator<number>({
      order: { warmup: [], measured: [0, 1, 2] },
      load: { mode: 'closed', concurrency: 1 },
      random: createRandom(1),
      clock: time,
      timers: time,
      issue: async (item, scheduled) => {
        released.push({ q: item.question, t: time.now(), scheduled });
        await delay(time, 20);
        // The answer was complete 4 ms before the caller heard of it (a batch from the measuring plane).
        return time.now() - 4;
      },
    });
    generator.start();
    await time.runAll();
    expect(released).toEqual([
      { q: 0, t: 0, scheduled: 0 },
      { q: 1, t: 20, scheduled: 16 },
      { q: 2, t: 40, scheduled: 36 },
    ]);
  });
});

describe('LoadGenerator, open loop capped by a concurrency (--request-rate with --max-concurrency)', () => {
  it('never has more than the cap outstanding; a due arrival waits for an answer and keeps its scheduled time', async () => {
    // 200 q/s offered (gaps of ~5 ms) against answers of exactly 100 ms and a cap of 3:
    // at most 3 out, so 3 per 100 ms go, and 30 questions take 10 rounds.
    const time = new VirtualTime();
    const releases: { t: number; scheduled: number; outstandingBefore: number }[] = [];
    const finishedAt: number[] = [];
    const generator: LoadGenerator<number> = new LoadGenerator<number>({
      order: { warmup: [], measured: Array.from({ length: 30 }, (_, i) => i) },
      load: { mode: 'open', rate: 200 },
      maxConcurrency: 3,
      random: createRandom(7),
      clock: time,
      timers: time,
      issue: async (_item, tScheduled) => {
        releases.push({ t: time.now(), scheduled: tScheduled, outstandingBefore: generator.outstanding - 1 });
        await delay(time, 100);
        finishedAt.push(time.now());
      },
    });
    generator.start();
    let most = 0;
    while (generator.ended === undefined) {
      await time.advance(1);
      most = Math.max(most, generator.outstanding);
    }
    await time.runAll();
    expect(await generator.drained).toBe('exhausted');
    expect(most).toBe(3);
    expect(releases.every((r) => r.outstandingBefore < 3)).toBe(true);
    // After the first three, every release happens the moment an answer finishes, later than it was due.
    for (const r of releases.slice(3)) {
      expect(finishedAt).toContain(r.t);
      expect(r.scheduled).toBeLessThan(r.t);
    }
    // Rounds of 100 ms: the last question is released in round 10 (0-based 9), so it finishes within 1000-1100 ms.
    expect(Math.max(...finishedAt)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...finishedAt)).toBeLessThan(1100);
  });

  it('without a cap the same offer keeps every arrival on time (the cap is what holds them back)', async () => {
    const time = new VirtualTime();
    const lags: number[] = [];
    const generator = new LoadGenerator<number>({
      order: { warmup: [], measured: Array.from({ length: 30 }, (_, i) => i) },
      load: { mode: 'open', rate: 200 },
      random: createRandom(7),
      clock: time,
      timers: time,
      issue: async (_item, tScheduled) => {
        lags.push(time.now() - tScheduled);
        await delay(time, 100);
      },
    });
    generator.start();
    await time.runAll();
    expect(Math.max(...lags)).toBeLessThan(1);
  });
});
