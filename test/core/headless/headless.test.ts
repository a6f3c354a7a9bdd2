import { describe, expect, it } from 'vitest';
import { runHeadless, SYNTHETIC_NOTE } from '../../../source/core/headless/index.js';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';
import { goldEngine, makeProfile, makeQuestions, startHarness } from '../run/harness.js';

async function headlessRun(json: boolean): Promise<{ out: string; exitCode: number }> {
  const time = new VirtualTime();
  // Round-robin at concurrency 1 over 10 two-token answers: A takes 150 + 50 = 200 ms,
  // B 350 + 50 = 400 ms; 5 each, back to back: the run lasts 3 s.
  const profile = makeProfile({ workload: { limit: 10, load: { mode: 'closed', concurrency: 1 } }, scheduler: { policy: 'round-robin' } });
  const engines = {
    A: goldEngine(time, 'small', { prefillMs: 150, perTokenMs: 50 }),
    B: goldEngine(time, 'large', { prefillMs: 350, perTokenMs: 50, info: { label: 'large', synthetic: false } }),
  };
  const h = await startHarness({ profile, time, engines, questions: makeQuestions(10, 0) });
  let out = '';
  const done = runHeadless(h.run, { json, write: (text) => void (out += text), timers: time });
  await time.runAll();
  const outcome = await done;
  return { out, exitCode: outcome.exitCode };
}

describe('headless output', () => {
  it('prints a status line each second and the summary table with the study figures', async () => {
    const { out, exitCode } = await headlessRun(false);
    expect(exitCode).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^00:01 {2}\d+\/10 round-robin \| A [\d.]+ q\/s p50 \d+ ms p99 \d+ ms EM 100\.0% q 0 \| B .* \| - W$/);
    expect(lines[1]).toMatch(/^00:02 /);
    const summaryAt = lines.findIndex((l) => l.startsWith('duet: run finished'));
    expect(lines[summaryAt]).toBe('duet: run finished after 3.0 s, 10/10 questions');
    const cells = (prefix: string) => lines.find((l) => l.startsWith(prefix))!.split(/\s{2,}/);
    // name, done, mean E2E, q/s, EM, q/s/W, p50, p90, p99, goodput, errors, cancelled
    expect(cells('A small')).toEqual(['A small', '5', '200 ms', '1.67', '100.0%', '-', '200 ms', '200 ms', '200 ms', '1.67', '0', '0']);
    expect(cells('B large')).toEqual(['B large', '5', '400 ms', '1.67', '100.0%', '-', '400 ms', '400 ms', '400 ms', '1.67', '0', '0']);
    expect(cells('A+B').slice(0, 5)).toEqual(['A+B', '10', '300 ms', '3.33', '100.0%']);
    expect(out).toContain(`A: ${SYNTHETIC_NOTE}`);
    expect(out).not.toContain(`B: ${SYNTHETIC_NOTE}`);
    expect(out).toContain('power: not measured');
  });

  it('--json prints one parseable object per second and a final summary object', async () => {
    const { out } = await headlessRun(true);
    const objects = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.slice(0, 2).map((o) => o.elapsedMs)).toEqual([1000, 2000]);
    const summary = objects.at(-1)! as { summary: boolean; request_throughput: number; models: Record<string, { mean_e2el_ms: number; em: number }> };
    expect(summary.summary).toBe(true);
    expect(summary.models.A).toMatchObject({ mean_e2el_ms: 200, em: 100 });
    expect(summary.request_throughput).toBeCloseTo(10 / 3, 6);
  });
});
