/**
 * Mid-run faults through the real run controller: a model that fails, hangs or dies,
 * telemetry that hangs, crashes or prints garbage, a log disk that is full. In every case
 * the run ends normally and every issued question ends as exactly one record.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine, GenerateRequest, GenerateResult } from '../../source/core/engines/engine.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import { summaryText } from '../../source/core/headless/index.js';
import { buildSessionHeader } from '../../source/core/session/header.js';
import { openSessionLog } from '../../source/core/session/writer.js';
import { profileSchema } from '../../source/core/profile/schema.js';
import { startTelemetry } from '../../source/core/telemetry/start.js';
import { systemClock } from '../../source/core/clock.js';
import { goldEngine, makeProfile, makeQuestions, startHarness, type Harness } from '../core/run/harness.js';
import { accountFor } from './accounting.js';

/** Advances virtual time until the run ends (bounded). */
async function finish(h: Harness, stepMs = 50, maxSteps = 10_000) {
  let done = false;
  void h.run.finished.then(() => (done = true));
  for (let i = 0; i < maxSteps && !done; i++) await h.time.advance(stepMs);
  if (!done) throw new Error('run did not finish');
  return h.run.finished;
}

/** Fake engines on real time: the run uses the real clock and timers too. */
const realTime = { clock: systemClock, timers: undefined };

const byModel = (h: Harness, model: 'A' | 'B') => h.records().filter((r) => r.model === model);

describe('a model fails or hangs: its queries end as errors or timeouts, the other model continues', () => {
  it('model A fails every request: A has only errors, B answers all of its questions, nothing lost', async () => {
    const h = await startHarness({
      profile: makeProfile({ workload: { load: { mode: 'closed', concurrency: 4 } } }),
      engines: { A: goldEngine(undefined, 'small', { failureRate: 1 }), B: goldEngine(undefined, 'large') },
      questions: makeQuestions(40),
      extra: realTime,
    });
    const outcome = await h.run.finished;
    expect(outcome.reason).toBe('finished');
    expect(outcome.exitCode).toBe(0);
    expect(byModel(h, 'A').every((r) => r.error === 'fake engine: injected failure')).toBe(true);
    expect(byModel(h, 'B').every((r) => r.error === undefined && r.em === 1)).toBe(true);
    const account = accountFor(h.events);
    expect(account).toMatchObject({ issued: 40, expected: 40, results: 20, errors: 20, problems: [] });
  });

  it('model A hangs on every request: each times out after requestTimeoutMs, B is unaffected', async () => {
    const time = (await import('../../source/core/scheduler/timers.js')).VirtualTime;
    const t = new time();
    const h = await startHarness({
      time: t,
      profile: makeProfile({ timeoutMs: 500, workload: { load: { mode: 'closed', concurrency: 2 } } }),
      engines: { A: goldEngine(t, 'small', { hangRate: 1 }), B: goldEngine(t, 'large', { prefillMs: 20, perTokenMs: 5 }) },
      questions: makeQuestions(10),
    });
    const outcome = await finish(h);
    expect(outcome.reason).toBe('finished');
    const a = byModel(h, 'A');
    expect(a).toHaveLength(5);
    expect(a.every((r) => r.timedOut === true && r.tDone - r.tEnqueued === 500)).toBe(true);
    expect(byModel(h, 'B').every((r) => r.error === undefined)).toBe(true);
    expect(accountFor(h.events).problems).toEqual([]);
  });

  it('model B dies mid-run (its in-flight requests fail, new ones are refused): A keeps answering to the end', async () => {
    // A server that crashes: after 6 requests every open stream and every new request fails.
    const inner = goldEngine(undefined, 'large', { prefillMs: 5, perTokenMs: 2, capacity: 4 });
    let calls = 0;
    const dead = new Set<(e: Error) => void>();
    let down = false;
    const dying: Engine = {
      info: () => inner.info(),
      start: () => inner.start(),
      stop: () => inner.stop(),
      load: () => inner.load(),
      generate(request: GenerateRequest, onToken) {
        if (down || ++calls > 6) {
          if (!down) for (const kill of dead) kill(new Error('model B: connection reset (server exited)'));
          down = true;
          return Promise.reject(new Error('model B: cannot reach http://127.0.0.1:8002/v1 (ECONNREFUSED)'));
        }
        return new Promise<GenerateResult>((ok, bad) => {
          dead.add(bad);
          inner.generate(request, onToken).then(ok, bad).finally(() => dead.delete(bad));
        });
      },
    };
    const h = await startHarness({
      profile: makeProfile({ workload: { load: { mode: 'closed', concurrency: 6 } } }),
      engines: { A: goldEngine(undefined, 'small', { prefillMs: 5, perTokenMs: 2, capacity: 4 }), B: dying },
      questions: makeQuestions(60),
      extra: realTime,
    });
    const outcome = await h.run.finished;
    expect(outcome.reason).toBe('finished');
    const b = byModel(h, 'B');
    expect(b.filter((r) => r.error !== undefined).length).toBeGreaterThan(20);
    expect(b.filter((r) => /connection reset|ECONNREFUSED/.test(r.error ?? '')).length).toBe(b.filter((r) => r.error).length);
    expect(byModel(h, 'A').every((r) => r.error === undefined)).toBe(true);
    expect(accountFor(h.events)).toMatchObject({ issued: 60, problems: [] });
  });
});

describe('telemetry faults degrade telemetry, never the run', () => {
  it('npu-smi hangs, then crashes, then prints garbage, then recovers: telemetry says so each time, the run goes on', async () => {
    const fixtures = resolve('test/fixtures/npu-smi');
    process.env['FAKE_NPU_SMI_INFO'] = resolve(fixtures, 'a3-info.txt');
    process.env['FAKE_NPU_SMI_POWER'] = resolve(fixtures, '310p-power-mcu.txt');
    process.env['FAKE_NPU_SMI_MODE'] = 'healthy';
    process.env['FAKE_NPU_SMI_SLEEP_MS'] = '20000';
    // A generous tool timeout: spawning node on a loaded 2-core box can take a second.
    const telemetry = profileSchema.shape.telemetry.parse({ source: 'npu-smi', npuSmiPath: resolve(fixtures, 'fake-npu-smi.mjs'), intervalMs: 100, timeoutMs: 2500 });
    const h = await startHarness({
      profile: makeProfile({ workload: { load: { mode: 'closed', concurrency: 2 } } }),
      engines: { A: goldEngine(undefined, 'small', { prefillMs: 10, perTokenMs: 5 }), B: goldEngine(undefined, 'large', { prefillMs: 10, perTokenMs: 5 }) },
      questions: makeQuestions(1_000_000),
      extra: { ...realTime, startTelemetry: (emit) => startTelemetry(telemetry, { clock: systemClock, emit }) },
    });
    const states = () => h.events.flatMap((e) => (e.type === 'telemetry-status' ? [`${e.status.state}${e.status.reason ? `: ${e.status.reason}` : ''}`] : []));
    /** Waits (bounded) until a status after index `from` matches. */
    async function until(pattern: RegExp, from: number): Promise<number> {
      for (let waited = 0; waited < 20_000; waited += 50) {
        const at = states().findIndex((s, i) => i >= from && pattern.test(s));
        if (at >= 0) return at;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no telemetry status matching ${pattern} after #${from}: ${states().join(' | ')}`);
    }
    try {
      let at = await until(/^ok$/, 0);
      const answeredBefore = h.records().length;
      for (const [mode, expected] of [
        ['slow', /^degraded: npu-smi info( -t power -i \d+)? timed out after 2500 ms$/],
        ['failing', /^degraded: .*dcmi module initialize failed/],
        ['garbage', /^degraded: npu-smi info printed no NPU table: Segmentation fault/],
        ['healthy', /^ok$/],
      ] as const) {
        process.env['FAKE_NPU_SMI_MODE'] = mode;
        at = await until(expected, at + 1);
      }
      // Questions kept being answered through all of it.
      expect(h.records().length).toBeGreaterThan(answeredBefore + 10);
      const outcome = await h.run.end('quit');
      expect(outcome.reason).toBe('quit');
      expect(h.events.filter((e) => e.type === 'telemetry').length).toBeGreaterThanOrEqual(2);
      expect(h.events.at(-1)!.type).toBe('run-end');
      expect(accountFor(h.events).problems).toEqual([]);
    } finally {
      delete process.env['FAKE_NPU_SMI_MODE'];
      await h.run.end('quit');
    }
  }, 90_000);
});

describe('the log disk is full (ENOSPC)', () => {
  it('a warning in the events and the summary; the run completes with every record accounted for', async () => {
    const profile = makeProfile({ workload: { load: { mode: 'closed', concurrency: 3 } } });
    const h = await startHarness({
      profile,
      engines: { A: goldEngine(undefined, 'small', { prefillMs: 2 }), B: goldEngine(undefined, 'large', { prefillMs: 2 }) },
      questions: makeQuestions(30),
      extra: {
        ...realTime,
        // /dev/full: opening works, every write fails with ENOSPC.
        openLog: ({ models, wallStart, warn }) =>
          openSessionLog('/dev/full', buildSessionHeader({ duetVersion: 'test', wallStart, profile, models, dataset: { path: 'squad.json', hash: '0', questions: 30 } }), { onError: warn, flushIntervalMs: 50 }),
      },
    });
    const outcome = await h.run.finished;
    expect(outcome).toMatchObject({ reason: 'finished', exitCode: 0, logPath: '/dev/full' });
    const warnings = h.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^session log \/dev\/full: .*ENOSPC.*; no longer writing it$/);
    expect(summaryText(outcome)).toContain(`warning: ${warnings[0]}`);
    expect(accountFor(h.events)).toMatchObject({ issued: 30, problems: [] });
  });
});
