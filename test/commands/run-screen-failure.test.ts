import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../source/commands/run.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import type { RunEvent } from '../../source/core/events.js';
import { parseRunFlags } from '../../source/core/run/flags.js';

const dataset = fileURLToPath(new URL('../../examples/squad-sample.json', import.meta.url));

describe('duet run when the live screen fails', () => {
  it('ends the run (log closed with run-end, engines stopped) and reports the screen\'s error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-screen-fail-'));
    const profile = join(dir, 'p.yaml');
    writeFileSync(profile, `name: p\nmodels:\n  - { label: small, backend: onnx, path: /fake/small }\n  - { label: large, backend: onnx, path: /fake/large }\nworkload: { dataset: ${dataset}, repeat: 1000, maxNewTokens: 8, load: { mode: closed, concurrency: 2 } }\ntelemetry: { source: none }\n`);
    const log = join(dir, 'run.jsonl');
    const stopped: string[] = [];
    const createEngine = async (model: { label: string }) => {
      const engine = new FakeEngine({ info: { label: model.label, model: model.label }, prefillMs: 5, perTokenMs: 1, output: () => 'x' });
      const stop = engine.stop.bind(engine);
      engine.stop = async () => (stopped.push(model.label), stop());
      return engine;
    };
    // A terminal whose writes fail (the pty went away): Ink cannot draw a frame.
    const stdout = Object.assign(new Writable({ write: (_c, _e, done) => done(new Error('write EIO')) }), { isTTY: true, columns: 100, rows: 30 });
    stdout.write = () => {
      throw new Error('write EIO');
    };
    const stderr = new Writable({ write: (_c, _e, done) => done() });
    await expect(runCommand(parseRunFlags({ profile, log }), { stdout: stdout as unknown as NodeJS.WriteStream, stderr, prepare: { createEngine } })).rejects.toThrow('write EIO');
    const events = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1).map((line) => JSON.parse(line) as RunEvent);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', reason: 'error' });
    expect((events.at(-1) as { detail?: string }).detail).toContain('live screen: write EIO');
    expect(stopped.sort()).toEqual(['large', 'small']);
  }, 30_000);
});
