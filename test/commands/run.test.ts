import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../source/commands/run.js';
import { loadSquad } from '../../source/core/dataset/squad.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import { profileSchema } from '../../source/core/profile/schema.js';
import { parseRunFlags, type RawRunFlags, type RunOverrides } from '../../source/core/run/flags.js';
import type { LoadedProfile } from '../../source/core/run/prepare.js';

const squad = resolve(process.cwd(), '../shared/data/squad/dev-v2.0.subset-Normans-Rhine.official.json');

/** Applies the overrides the way the profile loader does (enough for these tests). */
async function loadTestProfile(_path: string | undefined, o: RunOverrides): Promise<LoadedProfile> {
  const load = o.rate !== undefined ? { mode: 'open', rate: o.rate } : { mode: 'closed', concurrency: o.concurrency ?? 4 };
  const profile = profileSchema.parse({
    name: 'e2e',
    models: [
      { label: 'small', backend: 'onnx', path: '/fake/small' },
      { label: 'large', backend: 'onnx', path: '/fake/large' },
    ],
    workload: { dataset: o.dataset ?? squad, limit: o.limit, warmup: o.warmup ?? 0, load, maxNewTokens: 16 },
    scheduler: { policy: o.policy ?? 'round-robin' },
    telemetry: { source: 'none' },
  });
  return { ...profile, path: '/fake/profile.yaml' };
}

function capture(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk: Buffer, _e, done) => ((text += chunk.toString()), done()) });
  return { stream, text: () => text };
}

async function goldEngines(prefillMs: number): Promise<(model: { label: string }) => Promise<FakeEngine>> {
  const dataset = await loadSquad(squad);
  // Fake models that know the gold answer (by question text) and give it.
  const goldFor = (prompt: string) => dataset.questions.find((q) => prompt.includes(q.question.trim()))?.answers[0] ?? '';
  return async (model) => new FakeEngine({ info: { label: model.label, model: model.label }, prefillMs, perTokenMs: 2, capacity: 4, output: (r) => goldFor(r.promptText) });
}

describe.skipIf(!existsSync(squad))('duet run, end to end with fake engines', () => {
  it('runs headless, prints the summary, writes the session log and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-run-'));
    const out = capture();
    const err = capture();
    const log = join(dir, 'run.jsonl');
    const raw: RawRunFlags = { headless: true, limit: '12', warmup: '2', concurrency: '3', log };
    const code = await runCommand(parseRunFlags(raw), { stdout: out.stream, stderr: err.stream, prepare: { loadProfile: loadTestProfile, createEngine: await goldEngines(5) } });
    expect(code).toBe(0);
    expect(out.text()).toMatch(/duet: run finished after [\d.]+ s, 12\/12 questions/);
    expect(out.text()).toMatch(/^A small +6 .* 100\.0%/m);
    expect(out.text()).toContain(`session log: ${log}`);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { kind?: string; type?: string; record?: { warmup: boolean } });
    expect(lines[0]).toMatchObject({ kind: 'duet-session', schema: 1, dataset: { questions: expect.any(Number) as number } });
    expect(lines[1]!.type).toBe('run-start');
    expect(lines.at(-1)).toMatchObject({ type: 'run-end', reason: 'finished' });
    expect(lines.filter((l) => l.type === 'query-finished' && !l.record!.warmup)).toHaveLength(12);
    expect(lines.filter((l) => l.type === 'query-finished' && l.record!.warmup)).toHaveLength(2);
    expect(err.text()).toBe('');
  });

  it('on SIGINT stops gracefully, prints the summary and exits 130; without a TTY it says it runs headless', async () => {
    const out = capture();
    const err = capture();
    const signals = new EventEmitter();
    const raw: RawRunFlags = { json: false, concurrency: '2', log: false };
    const running = runCommand(parseRunFlags(raw), { stdout: out.stream, stderr: err.stream, signals, prepare: { loadProfile: loadTestProfile, createEngine: await goldEngines(200) } });
    await new Promise((r) => setTimeout(r, 700));
    signals.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(130);
    expect(err.text()).toContain('stdout is not a terminal, so running headless');
    expect(out.text()).toMatch(/duet: run signal \(SIGINT\) after/);
    expect(out.text()).not.toContain('session log:');
  });
});
