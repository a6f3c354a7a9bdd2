import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../source/commands/run.js';
import { loadSquad } from '../../source/core/dataset/squad.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import { parseRunFlags, type RawRunFlags } from '../../source/core/run/flags.js';

const squad = resolve(process.cwd(), 'test/fixtures/squad/tiny-v2.0.json');

/** A profile file for the real loader; the engines are fakes, so the model paths are never read. */
function writeProfile(dir: string): string {
  const file = join(dir, 'e2e.yaml');
  writeFileSync(
    file,
    [
      'name: e2e',
      'models:',
      '  - { label: small, backend: onnx, path: /fake/small }',
      '  - { label: large, backend: onnx, path: /fake/large }',
      'workload:',
      `  dataset: ${squad}`,
      '  maxNewTokens: 16',
      '  load: { mode: closed, concurrency: 4 }',
      'telemetry: { source: none }',
      '',
    ].join('\n'),
  );
  return file;
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

describe('duet run, end to end with fake engines', () => {
  it('runs headless, prints the summary, writes the session log and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-run-'));
    const out = capture();
    const err = capture();
    const log = join(dir, 'run.jsonl');
    const raw: RawRunFlags = { profile: writeProfile(dir), headless: true, limit: '12', warmup: '2', concurrency: '3', log };
    const code = await runCommand(parseRunFlags(raw), { stdout: out.stream, stderr: err.stream, prepare: { createEngine: await goldEngines(5) } });
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
    expect(err.text()).toBe('duet: starting A small and B large...\n');
  });

  it('on SIGINT stops gracefully, prints the summary and exits 130; without a TTY it says it runs headless', async () => {
    const out = capture();
    const err = capture();
    const signals = new EventEmitter();
    const raw: RawRunFlags = { profile: writeProfile(mkdtempSync(join(tmpdir(), 'duet-run-'))), json: false, concurrency: '2', log: false };
    const running = runCommand(parseRunFlags(raw), { stdout: out.stream, stderr: err.stream, signals, prepare: { createEngine: await goldEngines(200) } });
    await new Promise((r) => setTimeout(r, 700));
    signals.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(130);
    expect(err.text()).toContain('stdout is not a terminal, so running headless');
    expect(out.text()).toMatch(/duet: run signal \(SIGINT\) after/);
    expect(out.text()).not.toContain('session log:');
  });

  it('refuses a missing profile or dataset with one line naming the file', async () => {
    const io = { stdout: capture().stream, stderr: capture().stream, prepare: { createEngine: await goldEngines(5) } };
    await expect(runCommand(parseRunFlags({ profile: '/nope/duet.yaml', headless: true }), io)).rejects.toThrow('/nope/duet.yaml: profile not found');
    const profile = writeProfile(mkdtempSync(join(tmpdir(), 'duet-run-')));
    await expect(runCommand(parseRunFlags({ profile, dataset: '/nope/squad.json', headless: true }), io)).rejects.toThrow(/\/nope\/squad\.json/);
  });
});
