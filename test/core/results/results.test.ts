import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summaryJson } from '../../../source/core/headless/summary.js';
import { modelResultsSchema, resultsJsonSchema, resultsSchema, segmentResultsSchema } from '../../../source/core/results/schema.js';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';
import { readSessionLog } from '../../../source/core/session/reader.js';
import { buildReportData, jsonReport } from '../../../source/core/session/report/index.js';
import { buildSessionHeader } from '../../../source/core/session/header.js';
import { openSessionLog } from '../../../source/core/session/writer.js';
import { goldEngine, makeProfile, makeQuestions, startHarness } from '../run/harness.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/**
 * A mirror run of fake engines in virtual time, logged: A answers at 10 and 11 ms (e2e 11),
 * B at 30 and 32 ms (e2e 32) and wrong on q1; 4 questions at concurrency 1, so each pair
 * is done at 32 ms and the run lasts 128 ms. Prompts are 3 tokens, answers 2.
 */
async function mirrorRun() {
  const dir = await mkdtemp(path.join(tmpdir(), 'duet-results-'));
  const logPath = path.join(dir, 'run.jsonl');
  const time = new VirtualTime();
  const profile = makeProfile({ workload: { limit: 4, load: { mode: 'closed', concurrency: 1 } }, scheduler: { policy: 'mirror' }, slo: { e2eMs: 20 } });
  const engines = {
    A: goldEngine(time, 'small', { prefillMs: 10, perTokenMs: 1 }),
    B: goldEngine(time, 'large', { prefillMs: 30, perTokenMs: 2, output: (r) => (r.promptText.startsWith('q1|') ? 'wrong guess' : (r.promptText.split('|')[1] ?? '')) }),
  };
  const h = await startHarness({
    profile,
    time,
    engines,
    questions: makeQuestions(4, 0),
    extra: { openLog: ({ models, wallStart, warn }) => openSessionLog(logPath, buildSessionHeader({ duetVersion: '0.0.0-test', wallStart, profile, models, dataset: { path: 'squad.json', questions: 4 } }), { onError: warn }) },
  });
  await time.runAll();
  const outcome = await h.run.finished;
  return { outcome, logPath };
}

describe('flat results (docs/results.md, docs/results.schema.json)', () => {
  it('the checked-in JSON Schema is the one the code defines (npx tsx scripts/results-schema.ts)', () => {
    expect(JSON.parse(readFileSync(path.join(repoRoot, 'docs/results.schema.json'), 'utf8'))).toEqual(resultsJsonSchema());
  });

  it('docs/results.md documents every key', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs/results.md'), 'utf8');
    const keys = new Set([...Object.keys(resultsSchema.shape), ...Object.keys(modelResultsSchema.shape), ...Object.keys(segmentResultsSchema.shape), 'summary', 'log_path']);
    const undocumented = [...keys].filter((key) => !doc.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });

  it('the last line of duet run --json and duet report --format json give the same, hand-checkable keys', async () => {
    const { outcome, logPath } = await mirrorRun();
    const line = JSON.parse(JSON.stringify(summaryJson(outcome))) as Record<string, unknown>;
    expect(line).toMatchObject({ summary: true, log_path: logPath });
    const { summary: _s, log_path: _l, ...results } = line;
    const r = resultsSchema.parse(results); // strict: no key missing, none extra
    expect(r).toMatchObject({ reason: 'finished', policy: 'mirror', load_mode: 'closed', max_concurrency: 1, request_rate: null, num_prompts: 4, issued: 4, done: 4 });
    expect(r.duration).toBeCloseTo(0.128, 9);
    // The system: 4 questions (pairs), each done when B is (32 ms); 7 of 8 answers exact.
    expect(r).toMatchObject({ completed: 4, failed: 0, cancelled: 0, mean_e2el_ms: 32, median_e2el_ms: 32, p99_e2el_ms: 32, em: 87.5, em_n: 8 });
    expect(r.request_throughput).toBeCloseTo(4 / 0.128, 9);
    // Tokens of both requests per question: 2 x 3 prompt, 2 x 2 output.
    expect([r.total_input_tokens, r.total_output_tokens]).toEqual([24, 16]);
    expect(r.output_throughput).toBeCloseTo(16 / 0.128, 9);
    expect(r.total_token_throughput).toBeCloseTo(40 / 0.128, 9);
    // SLO e2e 20 ms: no pair meets it; A's answers (11 ms) all do.
    expect([r.slo_e2e_ms, r.slo_ttft_ms, r.request_goodput]).toEqual([20, null, 0]);
    expect(r.models.A).toMatchObject({ label: 'small', completed: 4, mean_e2el_ms: 11, mean_ttft_ms: 10, mean_tpot_ms: 1, mean_itl_ms: 1, em: 100 });
    expect(r.models.A.request_goodput).toBeCloseTo(4 / 0.128, 9);
    expect(r.models.B).toMatchObject({ label: 'large', completed: 4, mean_e2el_ms: 32, mean_ttft_ms: 30, p99_tpot_ms: 2, em: 75, em_n: 4 });
    // No power source: energy is null, never 0.
    expect([r.energy_j, r.mean_power_w, r.j_per_query, r.energy_source]).toEqual([null, null, null, null]);
    expect(r.segments).toHaveLength(1);
    expect(r.segments[0]).toMatchObject({ index: 0, policy: 'mirror', load_mode: 'closed', max_concurrency: 1, completed: 4, median_e2el_ms: 32, em: 87.5, energy_j: null });

    const report = jsonReport(buildReportData(await readSessionLog(logPath)));
    expect(report).toMatchObject({ kind: 'duet-report', schema: 2, complete: true });
    const { kind: _k, schema: _v, log: _g, complete: _c, warnings: _w, header: _h, snapshot: _n, ...fromLog } = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(resultsSchema.parse(fromLog)).toEqual(r);
  });
});
