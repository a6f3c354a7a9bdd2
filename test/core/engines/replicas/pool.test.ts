import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../../../source/core/engines/engine.js';
import { createReplicaPool, type ReplicaPool } from '../../../../source/core/engines/replicas/pool.js';
import { backoffDelay, isConnectionError } from '../../../../source/core/engines/replicas/replica.js';
import { modelSchema } from '../../../../source/core/profile/schema.js';
import type { Timers } from '../../../../source/core/scheduler/timers.js';
import { startTinyOpenAI, type TinyOpenAI } from './tiny-openai.js';

const servers: TinyOpenAI[] = [];
const pools: ReplicaPool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(port = 0, gapMs = 0): Promise<TinyOpenAI> {
  const s = await startTinyOpenAI(port, gapMs);
  servers.push(s);
  return s;
}

/** A port nothing listens on (bound once, then closed). */
async function deadPort(): Promise<number> {
  const s = await startTinyOpenAI();
  await s.close();
  return s.port;
}

function pool(endpoints: string[], extra: Parameters<typeof createReplicaPool>[1] = {}): ReplicaPool {
  const model = modelSchema.parse({ label: 'small', backend: 'openai', endpoints, served: 'tiny', requestTimeoutMs: 10_000 });
  const p = createReplicaPool(model, { backoff: { initialMs: 20, maxMs: 200 }, ...extra });
  pools.push(p);
  return p;
}

let seq = 0;
const request = (): GenerateRequest => ({ id: `q${seq++}`, messages: [{ role: 'user', content: 'Capital of France?' }], promptIds: [1, 2, 3], promptText: 'x', maxNewTokens: 8 });

/** Timers a test fires by hand, recording every delay asked for. */
function manualTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      pending.push({ fn, ms });
      return { id: pending.length };
    },
    clearTimeout: () => undefined,
  };
  return { timers, pending, fire: () => pending.shift()!.fn() };
}

const until = async (what: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('replica pool', () => {
  it('sends each request to the replica with the fewest outstanding, not in turn', async () => {
    const slow = await server(0, 150);
    const fast = await server();
    const p = pool([slow.url, fast.url]);
    await p.start();
    const first = p.generate(request()); // tie: the first replica (slow)
    await p.generate(request()); // slow holds one: the fast one
    await p.generate(request()); // still: the fast one (round-robin would pick slow)
    await first;
    expect([slow.chats, fast.chats]).toEqual([1, 2]);
    const [a, b] = p.replicaStats();
    expect(a).toMatchObject({ url: slow.url, state: 'up', requests: 1, answered: 1, errors: 0, outstanding: 0 });
    expect(b).toMatchObject({ url: fast.url, requests: 2, answered: 2 });
    expect(a!.meanLatencyMs!).toBeGreaterThan(b!.meanLatencyMs!);
    expect(p.info().device).toBe('remote x2');
  });

  it('reports each replica in its load, so the engine-load event carries the drill-down', async () => {
    const one = await server();
    const two = await server();
    const p = pool([one.url, two.url]);
    await p.start();
    await p.generate(request());
    const load = p.load();
    expect(load.replicas?.map((r) => ({ url: r.url, state: r.state, requests: r.requests, outstanding: r.outstanding }))).toEqual([
      { url: one.url, state: 'up', requests: 1, outstanding: 0 },
      { url: two.url, state: 'up', requests: 0, outstanding: 0 },
    ]);
  });

  it('fails the requests in flight on a dead replica (counted), sends the next to its twin, and takes it back after a probe', async () => {
    const doomed = await server(0, 400);
    const twin = await server();
    const p = pool([doomed.url, twin.url]);
    await p.start();
    const inFlight = p.generate(request());
    await until(() => doomed.chats === 1);
    await doomed.close();
    servers.splice(servers.indexOf(doomed), 1);
    await expect(inFlight).rejects.toThrow(/model "small" \(http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions\)/);
    expect(p.replicaStats()[0]).toMatchObject({ state: 'down', errors: 1, connectionErrors: 1, downCount: 1 });
    for (let i = 0; i < 3; i++) await p.generate(request());
    expect(twin.chats).toBe(3);
    // The replica comes back on the same port: a probe finds it and it rejoins the rotation.
    const back = await server(doomed.port);
    await until(() => p.replicaStats()[0]!.state === 'up');
    expect(back.probes).toBeGreaterThanOrEqual(1);
    await Promise.all([p.generate(request()), p.generate(request())]);
    expect(back.chats).toBeGreaterThanOrEqual(1);
    expect(p.replicaStats().map((r) => r.errors)).toEqual([1, 0]);
  });

  it('probes a replica that is down with exponential backoff, capped', async () => {
    const port = await deadPort();
    const up = await server();
    const manual = manualTimers();
    const changes: string[] = [];
    const p = pool([`http://127.0.0.1:${port}/v1`, up.url], { timers: manual.timers, onReplicaState: (url, state) => changes.push(`${state} ${url}`) });
    await p.start(); // one replica answers: the run can start; the other is out
    expect(p.replicaStats()[0]).toMatchObject({ state: 'down', downCount: 1 });
    expect(manual.pending.map((t) => t.ms)).toEqual([20]);
    for (const expected of [40, 80, 160, 200, 200]) {
      manual.fire();
      await until(() => manual.pending.length === 1);
      expect(manual.pending[0]!.ms).toBe(expected);
    }
    expect(p.replicaStats()[0]!.probes).toBe(5);
    const revived = await server(port);
    manual.fire();
    await until(() => p.replicaStats()[0]!.state === 'up');
    expect(revived.probes).toBe(1);
    expect(manual.pending).toHaveLength(0);
    expect(changes).toEqual([`down http://127.0.0.1:${port}/v1`, `up http://127.0.0.1:${port}/v1`]);
  });

  it('counts an HTTP error without taking the replica out; with every replica out a request is one clear error', async () => {
    const busy = await server();
    busy.status = 503;
    const p = pool([busy.url]);
    await p.start();
    await expect(p.generate(request())).rejects.toThrow(/HTTP 503/);
    expect(p.replicaStats()[0]).toMatchObject({ state: 'up', errors: 1, connectionErrors: 0 });
    await busy.close();
    servers.splice(0);
    await expect(p.generate(request())).rejects.toThrow(/request failed: (ECONNREFUSED|ECONNRESET)/); // refused, or a kept-alive socket closed
    await expect(p.generate(request())).rejects.toThrow(/model "small": no healthy replica \(all 1 taken out; http:\/\/127\.0\.0\.1:\d+\/v1: .*(ECONNREFUSED|ECONNRESET)/);
    expect(p.replicaStats()[0]).toMatchObject({ state: 'down', requests: 2, errors: 2 });
  });

  it('refuses to start when no replica answers', async () => {
    const p = pool([`http://127.0.0.1:${await deadPort()}/v1`, `http://127.0.0.1:${await deadPort()}/v1`]);
    await expect(p.start()).rejects.toThrow(/model "small": no replica answered \(.*cannot reach.*ECONNREFUSED.*; .*ECONNREFUSED/);
  });

  it('backs off by doubling and tells connection failures from request failures', () => {
    expect([0, 1, 2, 3, 10, 100].map((n) => backoffDelay(n, { initialMs: 500, maxMs: 30_000 }))).toEqual([500, 1000, 2000, 4000, 30_000, 30_000]);
    expect(isConnectionError(new Error('model "a" (http://h/v1/chat/completions): request failed: ECONNREFUSED (connect ECONNREFUSED 10.0.0.5:8000)'))).toBe(true);
    expect(isConnectionError(new Error('model "a" (u): stream cut mid-answer after 3 tokens: UND_ERR_SOCKET (other side closed)'))).toBe(true);
    expect(isConnectionError(new Error('model "a" (u): HTTP 503: overloaded'))).toBe(false);
    expect(isConnectionError(new Error('model "a" (u): no answer within 1000 ms'))).toBe(false);
  });
});
