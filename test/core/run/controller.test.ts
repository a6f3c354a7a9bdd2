import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { policyNames } from '../../../source/core/profile/schema.js';
import type { SessionSink } from '../../../source/core/run/controller.js';
import { createRandom } from '../../../source/core/scheduler/random.js';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';
import { goldEngine, makeProfile, makeQuestions, startHarness } from './harness.js';

function ofType<T extends RunEvent['type']>(events: RunEvent[], type: T): Extract<RunEvent, { type: T }>[] {
  return events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
}

describe('run controller', () => {
  it('ends every issued question as exactly one result per model it was sent to, under live switching', async () => {
    const time = new VirtualTime();
    const profile = makeProfile({ workload: { limit: 300, warmup: 4, load: { mode: 'closed', concurrency: 6 } }, scheduler: { cascadeThreshold: -1 }, slo: { e2eMs: 150 }, timeoutMs: 400 });
    const random = createRandom(11);
    const engines = {
      // A abstains on unanswerable questions (''), which cascade escalates; some answers are unsure.
      A: goldEngine(time, 'A', { prefillMs: 10, perTokenMs: 3, capacity: 2, failureRate: 0.03, meanLogProb: () => -2 * random.next() }),
      B: goldEngine(time, 'B', { prefillMs: 40, perTokenMs: 8, capacity: 1, failureRate: 0.03, hangRate: 0.02 }),
    };
    const h = await startHarness({ profile, time, engines, questions: makeQuestions(400) });
    // Switch policy every 37 ms through all eight, with load, weight and pause changes mixed in.
    for (let step = 0; h.events.at(-1)?.type !== 'run-end'; step++) {
      if (step > 2000) throw new Error('run did not end');
      await time.advance(37);
      h.run.send({ type: 'setPolicy', policy: policyNames[step % policyNames.length]! });
      if (step % 5 === 0) h.run.send({ type: 'adjustLoad', direction: step % 10 === 0 ? 1 : -1 });
      if (step % 7 === 0) h.run.send({ type: 'adjustWeight', direction: 1 });
      if (step % 11 === 0) h.run.send({ type: 'pause' });
    }
    const outcome = await h.run.finished;
    expect(outcome.reason).toBe('finished');
    const issued = ofType(h.events, 'query-issued');
    expect(issued.filter((e) => !e.warmup)).toHaveLength(300);
    expect(issued.filter((e) => e.warmup)).toHaveLength(4);
    expect(ofType(h.events, 'policy-switch').length).toBeGreaterThan(20);

    const records = h.records();
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    let escalations = 0;
    for (const event of issued) {
      const mine = records.filter((r) => r.seq === event.seq);
      const escalatedFromA = mine.some((r) => r.model === 'A' && r.escalated);
      if (escalatedFromA) escalations++;
      const expected = escalatedFromA ? [...event.targets, 'B'] : event.targets;
      expect(mine.map((r) => r.model).sort()).toEqual([...expected].sort());
      // In-flight questions finish under the policy (and segment) that issued them.
      for (const r of mine) expect([r.policy, r.segment, r.warmup]).toEqual([event.policy, event.segment, event.warmup]);
    }
    expect(escalations).toBeGreaterThan(0);
    expect(records.some((r) => r.timedOut)).toBe(true);
    expect(ofType(h.events, 'query-failed').length).toBeGreaterThan(0);
    expect(outcome.snapshot.done).toBe(300);
  });

  it('cascade escalates abstentions to B, marks both records, and times B from the re-issue', async () => {
    const time = new VirtualTime();
    const profile = makeProfile({ workload: { limit: 10, load: { mode: 'closed', concurrency: 1 } }, scheduler: { policy: 'cascade' } });
    const engines = { A: goldEngine(time, 'A', { prefillMs: 10, perTokenMs: 1 }), B: goldEngine(time, 'B', { prefillMs: 30, perTokenMs: 1, output: () => '' }) };
    const h = await startHarness({ profile, time, engines, questions: makeQuestions(10) });
    await time.runAll();
    await h.run.finished;
    const records = h.records();
    // Questions 4 and 9 are unanswerable: A answers '' and is escalated; B answers '' too (right).
    expect(records.map((r) => `${r.seq}${r.model}${r.escalated ? '!' : ''}`)).toEqual(['0A', '1A', '2A', '3A', '4A!', '4B!', '5A', '6A', '7A', '8A', '9A!', '9B!']);
    const a = records.find((r) => r.id === '4:A')!;
    const b = records.find((r) => r.id === '4:B')!;
    expect(b.tIssued).toBe(a.tDone);
    expect(b.tDone - b.tIssued).toBe(30);
    expect(b.em).toBe(1);
    // The question was issued once, to A: the escalation is not a second question.
    expect(ofType(h.events, 'query-issued').filter((e) => e.seq === 4).map((e) => e.targets)).toEqual([['A']]);
  });

  it('mirror sends every question to both models', async () => {
    const time = new VirtualTime();
    const profile = makeProfile({ workload: { limit: 3, load: { mode: 'closed', concurrency: 2 } }, scheduler: { policy: 'mirror' } });
    const h = await startHarness({ profile, time, engines: { A: goldEngine(time, 'A', { prefillMs: 5 }), B: goldEngine(time, 'B', { prefillMs: 20 }) } });
    await time.runAll();
    await h.run.finished;
    expect(h.records().map((r) => r.id).sort()).toEqual(['0:A', '0:B', '1:A', '1:B', '2:A', '2:B']);
  });

  it('times out a hung request at requestTimeoutMs and carries on', async () => {
    const time = new VirtualTime();
    const profile = makeProfile({ workload: { limit: 2, load: { mode: 'closed', concurrency: 1 } }, scheduler: { policy: 'large-only' }, timeoutMs: 500 });
    let calls = 0;
    const B = goldEngine(time, 'B', { prefillMs: 10 });
    const hangOnce = { ...B, info: () => B.info(), start: () => B.start(), stop: () => B.stop(), load: () => B.load(), generate: (...args: Parameters<typeof B.generate>) => (calls++ === 0 ? new Promise<never>(() => {}) : B.generate(...args)) };
    const h = await startHarness({ profile, time, engines: { A: goldEngine(time, 'A'), B: hangOnce } });
    await time.runAll();
    const outcome = await h.run.finished;
    const [first, second] = h.records();
    expect(first).toMatchObject({ timedOut: true, error: 'timed out after 500 ms' });
    expect(first!.tDone - first!.tEnqueued).toBe(500);
    expect(second!.error).toBeUndefined();
    expect(ofType(h.events, 'query-failed')).toHaveLength(1);
    expect(outcome.exitCode).toBe(0);
  });

  it('quit stops issuing, lets answers finish within the grace period, cancels the rest and stops the engines', async () => {
    const time = new VirtualTime();
    const profile = makeProfile({ workload: { load: { mode: 'closed', concurrency: 2 } }, scheduler: { policy: 'round-robin' } });
    const A = goldEngine(time, 'A', { prefillMs: 100 });
    const B = goldEngine(time, 'B', { hangRate: 1 });
    let stopped = 0;
    for (const engine of [A, B]) {
      const stop = engine.stop.bind(engine);
      engine.stop = () => (stopped++, stop());
    }
    const h = await startHarness({ profile, time, engines: { A, B }, extra: { quitGraceMs: 1000 } });
    await time.advance(50);
    h.run.send({ type: 'quit' });
    await time.advance(5000);
    const outcome = await h.run.finished;
    expect(outcome).toMatchObject({ reason: 'quit', exitCode: 0 });
    const records = h.records();
    expect(records.map((r) => [r.id, r.error ?? 'ok', r.tDone])).toEqual([
      ['0:A', 'ok', 100],
      ['1:B', 'cancelled at the end of the run', 1050],
    ]);
    expect(ofType(h.events, 'query-issued')).toHaveLength(2);
    expect(stopped).toBe(2);
    expect(h.events.at(-1)).toMatchObject({ type: 'run-end', reason: 'quit' });
    expect(h.events[0]!.type).toBe('run-start');
  });

  it('applies commands and emits an event for each change', async () => {
    const time = new VirtualTime();
    const profile = makeProfile({ workload: { load: { mode: 'closed', concurrency: 3 } }, scheduler: { policy: 'weighted', weight: 0.5 } });
    const writes: RunEvent[] = [];
    let flushes = 0;
    const sink: SessionSink = { path: '/tmp/x.jsonl', write: (e) => void writes.push(e), flush: async () => void flushes++, close: async () => {} };
    const h = await startHarness({ profile, time, engines: { A: goldEngine(time, 'A', { prefillMs: 10 }), B: goldEngine(time, 'B', { prefillMs: 10 }) }, extra: { openLog: async () => sink } });
    const send = h.run.send.bind(h.run);
    send({ type: 'adjustLoad', direction: 1 });
    send({ type: 'setLoad', load: { mode: 'open', rate: 4 } });
    send({ type: 'adjustLoad', direction: 1 });
    send({ type: 'adjustLoad', direction: -1 });
    send({ type: 'adjustLoad', direction: -1 });
    send({ type: 'setLoad', load: { mode: 'closed', concurrency: 0 } });
    for (let i = 0; i < 6; i++) send({ type: 'adjustWeight', direction: 1 });
    send({ type: 'setPolicy', policy: 'cascade' });
    send({ type: 'setPolicy', policy: 'cascade' });
    send({ type: 'setPolicy', policy: 'nope' });
    send({ type: 'pause' });
    send({ type: 'pause', paused: true });
    send({ type: 'save' });
    await time.advance(0);
    const changes = h.events.filter((e) => !['run-start', 'query-issued', 'first-token', 'query-finished', 'engine-load'].includes(e.type));
    expect(changes.map((e) => ({ ...e, t: undefined }))).toEqual([
      // Every load, weight and policy change starts the next segment.
      { type: 'load-change', t: undefined, load: { mode: 'closed', concurrency: 4 }, segment: 1 },
      { type: 'load-change', t: undefined, load: { mode: 'open', rate: 4 }, segment: 2 },
      { type: 'load-change', t: undefined, load: { mode: 'open', rate: 5 }, segment: 3 },
      { type: 'load-change', t: undefined, load: { mode: 'open', rate: 4 }, segment: 4 },
      { type: 'load-change', t: undefined, load: { mode: 'open', rate: 3.2 }, segment: 5 },
      { type: 'warning', t: undefined, message: 'ignored an invalid load setting {"mode":"closed","concurrency":0}' },
      ...[0.6, 0.7, 0.8, 0.9, 1].map((weight, i) => ({ type: 'weight-change', t: undefined, weight, segment: 6 + i })),
      { type: 'policy-switch', t: undefined, from: 'weighted', to: 'cascade', segment: 11 },
      { type: 'warning', t: undefined, message: 'unknown policy "nope"' },
      { type: 'pause', t: undefined, paused: true },
      { type: 'save', t: undefined, path: '/tmp/x.jsonl' },
    ]);
    expect(flushes).toBe(1);
    expect(writes.length).toBe(h.events.length);
    expect(h.run.logPath).toBe('/tmp/x.jsonl');
    const ending = h.run.end('signal');
    await time.advance(5000);
    expect((await ending).exitCode).toBe(130);
  });

  it('samples each engine\'s load once a second, and exits non-zero when nothing was answered', async () => {
    const time = new VirtualTime();
    const profile = makeProfile({ workload: { limit: 3, load: { mode: 'closed', concurrency: 3 } }, scheduler: { policy: 'small-only' } });
    const h = await startHarness({ profile, time, engines: { A: goldEngine(time, 'A', { prefillMs: 2500, failureRate: 1, capacity: 3 }), B: goldEngine(time, 'B') } });
    await time.runAll();
    const outcome = await h.run.finished;
    expect(outcome).toMatchObject({ reason: 'finished', exitCode: 1, detail: 'no question was answered' });
    const loads = ofType(h.events, 'engine-load');
    expect(loads.map((e) => [e.t, e.model, e.running])).toEqual([
      [1000, 'A', 3],
      [1000, 'B', 0],
      [2000, 'A', 3],
      [2000, 'B', 0],
    ]);
  });

  it('rejects when an engine cannot start, stopping the other', async () => {
    const time = new VirtualTime();
    const B = goldEngine(time, 'B');
    B.start = async () => {
      throw new Error('no such model folder');
    };
    let stoppedA = false;
    const A = goldEngine(time, 'A');
    A.stop = async () => void (stoppedA = true);
    await expect(startHarness({ profile: makeProfile(), time, engines: { A, B } })).rejects.toThrow('no such model folder');
    expect(stoppedA).toBe(true);
  });
});
