import { describe, expect, it } from 'vitest';
import type { GenerateRequest, GenerateResult, TokenEvent } from '../../../source/core/engines/engine.js';
import { FakeEngine, goldEchoOutput, splitTokens } from '../../../source/core/engines/fake.js';
import { createRandom } from '../../../source/core/scheduler/random.js';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';

const request = (id: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  id, messages: [], promptIds: [1, 2, 3, 4], promptText: id, maxNewTokens: 128, ...extra,
});

describe('splitTokens', () => {
  it('keeps leading spaces and makes an empty answer one end-of-turn token', () => {
    expect(splitTokens('the Normans ')).toEqual(['the', ' Normans ']);
    expect(splitTokens('')).toEqual(['']);
  });
});

describe('FakeEngine', () => {
  it('queues behind its capacity and times prefill and tokens exactly', async () => {
    const time = new VirtualTime();
    const engine = new FakeEngine({ clock: time, timers: time, prefillMs: 50, perTokenMs: 10, output: () => 'one two three', capacity: 1 });
    await engine.start();
    const tokens: TokenEvent[] = [];
    const pending = ['r0', 'r1', 'r2'].map((id) => engine.generate(request(id), (token) => tokens.push(token)));
    await time.advance(0);
    expect(engine.load()).toEqual({ queued: 2, running: 1, batchSize: 1 });
    await time.runAll();
    const results: GenerateResult[] = await Promise.all(pending);
    // Each takes 50 + 2 x 10 = 70 ms; with one slot they run back to back.
    expect(results.map((r) => [r.tStart, r.tFirstToken, r.tEnd])).toEqual([
      [0, 50, 70],
      [70, 120, 140],
      [140, 190, 210],
    ]);
    expect(results[0]).toMatchObject({ text: 'one two three', outputTokens: 3, promptTokens: 4, tokenTimes: [50, 60, 70], finishReason: 'stop' });
    expect(tokens.slice(0, 3).map((t) => [t.text, t.t])).toEqual([['one', 50], [' two', 60], [' three', 70]]);
    expect(engine.maxRunning).toBe(1);
  });

  it('runs up to `capacity` at once and caps output at maxNewTokens', async () => {
    const time = new VirtualTime();
    const engine = new FakeEngine({ clock: time, timers: time, prefillMs: 5, perTokenMs: 1, output: () => 'a b c d e', capacity: 2 });
    await engine.start();
    const results = Promise.all([0, 1, 2].map((i) => engine.generate(request(`r${i}`, { maxNewTokens: 2 }))));
    await time.runAll();
    const done = await results;
    expect(done.map((r) => r.tStart)).toEqual([0, 0, 6]);
    expect(done[0]).toMatchObject({ text: 'a b', outputTokens: 2, finishReason: 'length' });
    expect(engine.maxRunning).toBe(2);
  });

  it('leaves its queue when aborted while waiting, and a hung request ends only when aborted', async () => {
    const time = new VirtualTime();
    const engine = new FakeEngine({ clock: time, timers: time, prefillMs: 10, hangRate: 1 });
    await engine.start();
    const first = new AbortController();
    const second = new AbortController();
    const hung = engine.generate(request('r0', { signal: first.signal }));
    const waiting = engine.generate(request('r1', { signal: second.signal }));
    await time.advance(1000);
    expect(engine.load()).toEqual({ queued: 1, running: 1, batchSize: 1 });
    second.abort();
    expect(await waiting).toMatchObject({ finishReason: 'abort', outputTokens: 0 });
    first.abort();
    expect(await hung).toMatchObject({ finishReason: 'abort', outputTokens: 0 });
    expect(engine.load()).toEqual({ queued: 0, running: 0, batchSize: 0 });
  });

  it('injects failures at the configured rate, seeded', async () => {
    const time = new VirtualTime();
    const engine = new FakeEngine({ clock: time, timers: time, failureRate: 0.3, random: createRandom(4), capacity: 1000 });
    await engine.start();
    const outcomes = Array.from({ length: 1000 }, (_, i) => engine.generate(request(`r${i}`)).then(() => 'ok', () => 'failed'));
    await time.runAll();
    const failed = (await Promise.all(outcomes)).filter((o) => o === 'failed').length;
    expect(failed).toBeGreaterThan(250);
    expect(failed).toBeLessThan(350);
  });

  it('refuses to generate before start()', async () => {
    await expect(new FakeEngine().generate(request('r'))).rejects.toThrow(/before start/);
  });

  it('goldEchoOutput answers right at the configured accuracy', () => {
    const output = goldEchoOutput(() => ['Normandy', 'France'], 0.8);
    const random = createRandom(2);
    const answers = Array.from({ length: 1000 }, () => output(request('r'), random));
    const right = answers.filter((a) => a === 'Normandy').length;
    expect(right).toBeGreaterThan(760);
    expect(right).toBeLessThan(840);
    expect(new Set(answers)).toEqual(new Set(['Normandy', 'a wrong guess']));
  });
});
