import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamJob } from '../../../source/core/engines/openai/request.js';
import { MeasuringPlane } from '../../../source/core/plane/plane.js';
import type { JobResult } from '../../../source/core/plane/protocol.js';
import { createOpenAIEngine } from '../../../source/core/engines/openai/engine.js';
import { modelSchema } from '../../../source/core/profile/schema.js';

/**
 * The measuring plane against a server in another process that logs when it wrote every
 * chunk: the recorded arrival of each token must follow the server's writes even while
 * the main thread (which runs the screen, the metrics and the log) is blocked.
 */

let server: ChildProcess;
let base: string;
const plane = new MeasuringPlane({ workers: 1 });

beforeAll(async () => {
  server = spawn(process.execPath, [fileURLToPath(new URL('../../../bench/lib/timed-sse-server.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(server.stdout!, 'data')) as [Buffer];
  base = `http://127.0.0.1:${/listening (\d+)/.exec(line.toString())![1]}/v1`;
  await plane.acquire();
});

afterAll(async () => {
  await plane.release();
  server.kill('SIGTERM');
});

interface ServerLog {
  receivedAt: number;
  writes: number[];
}

async function serverLog(id: string): Promise<ServerLog> {
  const response = await fetch(`${base.replace('/v1', '')}/log/${encodeURIComponent(id)}`);
  return (await response.json()) as ServerLog;
}

/** Run-clock time (main performance.now scale, as records keep it) to the server's epoch scale. */
const epoch = (t: number) => t + performance.timeOrigin;

function job(id: string, schedule: string, tokens: number, sendAt?: number) {
  const endpoint = { label: 'timed', base, api: 'chat' as const, served: schedule, requestTimeoutMs: 10_000 };
  return streamJob(endpoint, { id, messages: [{ role: 'user', content: 'q' }], promptIds: [1], promptText: 'q', maxNewTokens: tokens, ...(sendAt !== undefined ? { sendAt } : {}) });
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // The main thread is drawing a frame, collecting garbage, tokenising a prompt...
  }
}

describe('measuring plane', () => {
  it('stamps every token where its bytes arrive, not where the main thread hears of it', async () => {
    const id = `block-${Date.now()}`;
    const pending = plane.submit(job(id, 'ttft=30,gap=10', 30));
    // While ~30 tokens stream (10 ms apart), the main thread is blocked for 150 ms.
    await new Promise((resolve) => setTimeout(resolve, 80));
    busy(150);
    const result = await pending;
    expect(result.end.kind).toBe('stream');
    if (result.end.kind !== 'stream' || result.end.outcome.kind !== 'done') throw new Error('no answer');
    const arrivals = result.end.outcome.tokenTimes.map(epoch);
    const log = await serverLog(id);
    expect(arrivals).toHaveLength(30);
    expect(log.writes).toHaveLength(30);
    // Each token arrives after it was written and soon after (loopback; generous for a loaded 2-core box).
    const delays = arrivals.map((t, i) => t - log.writes[i]!);
    const sorted = [...delays].sort((a, b) => a - b);
    expect(sorted[0]!).toBeGreaterThan(-0.5);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThan(3);
    // A main-thread stamp would read one ~150 ms gap and a burst of ~15 near-0 ms gaps here;
    // the bounds leave room for the client thread itself being descheduled on a loaded box.
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    const trueGaps = log.writes.slice(1).map((t, i) => t - log.writes[i]!);
    const bunched = gaps.filter((g, i) => g < 0.3 * trueGaps[i]!).length;
    expect(bunched).toBeLessThanOrEqual(5);
    expect(Math.max(...gaps)).toBeLessThan(100);
  });

  it('measures time to first token from the send, as the server saw it', async () => {
    const errors: number[] = [];
    for (let i = 0; i < 6; i++) {
      const id = `ttft-${Date.now()}-${i}`;
      const result: JobResult = await plane.submit(job(id, 'ttft=40,gap=5', 3));
      if (result.end.kind !== 'stream' || result.end.outcome.kind !== 'done') throw new Error('no answer');
      const log = await serverLog(id);
      const ttft = result.end.outcome.tFirstToken! - result.tSent;
      const serverTtft = log.writes[0]! - log.receivedAt;
      expect(serverTtft).toBeGreaterThanOrEqual(39);
      errors.push(ttft - serverTtft);
    }
    // The client's TTFT exceeds the server's by the request's trip and the response's (loopback: well under 3 ms).
    const sorted = errors.sort((a, b) => a - b);
    expect(sorted[0]!).toBeGreaterThan(-0.5);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThan(3);
  });

  it('holds a request until its scheduled send time, on the measuring thread', async () => {
    const id = `sched-${Date.now()}`;
    const sendAt = performance.now() + 120;
    const pending = plane.submit(job(id, 'ttft=5,gap=5', 2, sendAt));
    // A blocked main thread at the due time must not delay the send.
    await new Promise((resolve) => setTimeout(resolve, 60));
    busy(100);
    const result = await pending;
    const log = await serverLog(id);
    expect(result.tSent - sendAt).toBeGreaterThanOrEqual(0);
    expect(result.tSent - sendAt).toBeLessThan(5);
    expect(log.receivedAt - epoch(sendAt)).toBeLessThan(10);
  });

  it('reports its own health: loop delay, busy share and open streams', async () => {
    const seen = await new Promise<{ worker: number; utilisation: number; loopDelayP99Ms: number }>((resolve) => {
      const off = plane.onHealth((health) => {
        off();
        resolve(health);
      });
    });
    expect(seen.worker).toBe(0);
    expect(seen.utilisation).toBeGreaterThanOrEqual(0);
    expect(seen.utilisation).toBeLessThanOrEqual(1);
    expect(seen.loopDelayP99Ms).toBeGreaterThanOrEqual(0);
  });

  it('runs an engine\'s answers on the plane, with the send time and token times on the record', async () => {
    const engine = createOpenAIEngine(modelSchema.parse({ label: 'A', backend: 'openai', url: base, served: 'ttft=20,gap=8' }), { plane });
    await engine.start();
    const result = await engine.generate({ id: `engine-${Date.now()}`, messages: [{ role: 'user', content: 'q' }], promptIds: [1, 2], promptText: 'q', maxNewTokens: 5 });
    expect(result.text).toBe(' t0 t1 t2 t3 t4');
    expect(result.tokenTimes).toHaveLength(5);
    expect(result.tSent).toBeLessThan(result.tFirstToken!);
    expect(result.tFirstToken! - result.tSent!).toBeGreaterThanOrEqual(19);
    expect(result.tEnd).toBe(result.tokenTimes[4]);
    await engine.stop();
  });
});
