import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../source/core/metrics/snapshot.js';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import type { RunEvent } from '../../../source/core/events.js';
import { createReplay } from '../../../source/core/session/replay.js';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';
import { fakeHeader, fakeRunEvents } from './fake-run.js';

const header = fakeHeader({ slo: { e2eMs: 150 } });
const events = fakeRunEvents({ questions: 30 });
const log = { path: 'logs/r.jsonl', header, events };
const start = events[0]!.t;
const end = events[events.length - 1]!.t;

/** What the live store showed at time p: every event up to p pushed, snapshot at p. */
function liveAt(p: number): Snapshot {
  const store = new MetricsStore({ slo: { e2eMs: 150 } });
  for (const event of events) if (event.t <= p) store.push(event);
  return store.snapshot(p);
}

function setup(speed = 1) {
  const time = new VirtualTime(50_000);
  const replay = createReplay(log, { clock: time, timers: time, speed });
  return { time, replay };
}

describe('createReplay', () => {
  it('snapshot at each playhead time equals the live store at that time (SLO from the header applied)', async () => {
    const { time, replay } = setup(1);
    expect(replay.playhead()).toBe(start);
    expect(replay.snapshot()).toEqual(liveAt(start));
    let checked = 0;
    for (const step of [0.5, 137, 400, 999, 1000, 2500, 1234]) {
      await time.advance(step);
      const p = start + (time.now() - 50_000);
      if (p > end) break;
      expect(replay.playhead()).toBe(p);
      const snapshot = replay.snapshot();
      expect(snapshot).toEqual(liveAt(p));
      checked++;
    }
    expect(checked).toBeGreaterThan(4);
    // The SLO matters: goodput is below throughput in this log.
    const final = liveAt(end);
    expect(final.combined.throughput.goodput).toBeLessThan(final.combined.throughput.qpsRun!);
  });

  it('plays at speed and holds at the end of the log on the final state until quit', async () => {
    const { time, replay } = setup(4);
    let settled = false;
    void replay.finished.then(() => (settled = true));
    await time.advance((end - start) / 4 + 1000);
    expect(settled).toBe(false);
    expect(replay.timeline()).toMatchObject({ start, end, playhead: end, atEnd: true });
    const held = replay.snapshot();
    expect(held.paused).toBe(true);
    expect({ ...held, paused: false }).toEqual(liveAt(end));
    await time.advance(60_000);
    expect(replay.playhead()).toBe(end);
    replay.send({ type: 'quit' });
    const outcome = await replay.finished;
    expect(outcome.reason).toBe('quit');
    expect({ ...outcome.snapshot, paused: false }).toEqual(liveAt(end));
    expect(time.pendingCount).toBe(0);
  });

  it('with holdAtEnd: false finishes at the end of the log with the final snapshot', async () => {
    const time = new VirtualTime(50_000);
    const replay = createReplay(log, { clock: time, timers: time, speed: 4, holdAtEnd: false });
    await time.advance((end - start) / 4);
    const outcome = await replay.finished;
    expect(outcome.reason).toBe('finished');
    expect(outcome.snapshot).toEqual(liveAt(end));
  });

  it('resuming at the end plays again from the start', async () => {
    const { time, replay } = setup(64);
    await time.advance((end - start) / 64 + 10);
    expect(replay.timeline().atEnd).toBe(true);
    replay.send({ type: 'pause', paused: false });
    expect(replay.playhead()).toBe(start);
    expect(replay.timeline().atEnd).toBe(false);
    expect(replay.snapshot()).toEqual(liveAt(start));
  });

  it('lists every segment of the log and seeks by segment', async () => {
    const switchT = events.find((e) => e.type === 'policy-switch')!.t;
    const { time, replay } = setup(1);
    expect(replay.timeline().segments).toEqual([
      { index: 0, t: start, label: 'round-robin' },
      { index: 1, t: switchT, label: 'mirror' },
    ]);
    replay.send({ type: 'seekSegment', direction: 1 });
    expect(replay.playhead()).toBe(switchT);
    expect(replay.snapshot().policy).toBe('mirror');
    await time.advance(2500);
    replay.send({ type: 'seekSegment', direction: -1 }); // 2.5 s in: back to this segment's start
    expect(replay.playhead()).toBe(switchT);
    replay.send({ type: 'seekSegment', direction: -1 }); // at its start: the previous one
    expect(replay.playhead()).toBe(start);
    replay.send({ type: 'seekSegment', direction: 1 });
    replay.send({ type: 'seekSegment', direction: 1 }); // after the last segment: the end
    expect(replay.playhead()).toBe(end);
  });

  it('seeking back rebuilds the store, seeking forward feeds it; both clamp to the log', async () => {
    const { time, replay } = setup(1);
    await time.advance(3000);
    replay.send({ type: 'seek', deltaMs: -2000 });
    expect(replay.playhead()).toBe(start + 1000);
    expect(replay.snapshot()).toEqual(liveAt(start + 1000));
    replay.send({ type: 'seek', deltaMs: -10_000 });
    expect(replay.playhead()).toBe(start);
    expect(replay.snapshot()).toEqual(liveAt(start));
    replay.send({ type: 'seek', deltaMs: 2500 });
    await time.advance(100);
    expect(replay.snapshot()).toEqual(liveAt(start + 2600));
    replay.send({ type: 'seek', deltaMs: 10_000_000 });
    await time.advance(0);
    expect(replay.timeline().atEnd).toBe(true);
    expect({ ...replay.snapshot(), paused: false }).toEqual(liveAt(end));
  });

  it('pause freezes the playhead and shows as paused; speed doubles and halves within 0.25x-64x', async () => {
    const { time, replay } = setup(1);
    await time.advance(1000);
    replay.send({ type: 'pause', paused: true });
    await time.advance(5000);
    expect(replay.playhead()).toBe(start + 1000);
    const paused = replay.snapshot();
    expect(paused.paused).toBe(true);
    expect({ ...paused, paused: false }).toEqual(liveAt(start + 1000));
    replay.send({ type: 'pause' });
    expect(replay.paused).toBe(false);
    replay.send({ type: 'adjustLoad', direction: 1 });
    await time.advance(100);
    expect(replay.playhead()).toBe(start + 1200);
    for (let i = 0; i < 10; i++) replay.send({ type: 'adjustLoad', direction: 1 });
    expect(replay.speed).toBe(64);
    for (let i = 0; i < 12; i++) replay.send({ type: 'adjustLoad', direction: -1 });
    expect(replay.speed).toBe(0.25);
    replay.send({ type: 'setPolicy', policy: 'mirror' });
    expect(replay.speed).toBe(0.25);
  });

  it('quit ends at once with the snapshot at the playhead; subscribers saw each event once, in order', async () => {
    const { time, replay } = setup(1);
    const seen: RunEvent[] = [];
    replay.subscribe((event) => seen.push(event));
    await time.advance(2000);
    replay.send({ type: 'quit' });
    const outcome = await replay.finished;
    expect(outcome.reason).toBe('quit');
    expect(outcome.snapshot).toEqual(liveAt(start + 2000));
    expect(seen).toEqual(events.filter((e) => e.t <= start + 2000 && e.t > start));
    expect(time.pendingCount).toBe(0);
  });

  it('an empty log finishes at once', async () => {
    const time = new VirtualTime();
    const replay = createReplay({ path: 'e.jsonl', header, events: [] }, { clock: time, timers: time });
    await time.advance(0);
    expect((await replay.finished).reason).toBe('finished');
  });
});
