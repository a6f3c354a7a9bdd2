/**
 * Nothing a run or a reader writes may destroy a log, and no reader may lose a log to one
 * bad line: a report never lands on its own log, --log never appends to (or through a
 * symlink into) an existing file unless --append-log says so, two runs never share one
 * file, a closed stdout ends the run cleanly with every question recorded, and a readable
 * log stays readable with a bad line, a byte order mark or two runs in it.
 */
import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../source/commands/run.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import type { RunEvent } from '../../source/core/events.js';
import { parseRunFlags } from '../../source/core/run/flags.js';
import { finalSnapshot } from '../../source/core/session/fold.js';
import { parseSessionLog, readSessionLog } from '../../source/core/session/reader.js';
import { openSessionLog } from '../../source/core/session/writer.js';
import { fakeHeader, fakeRunEvents, toJsonl } from '../core/session/fake-run.js';
import { accountFor } from './accounting.js';

const dir = mkdtempSync(join(tmpdir(), 'duet-data-loss-'));
const squad = resolve('test/fixtures/squad/tiny-v2.0.json');
const duet = (args: string[]) => execa('node', ['bin/duet.js', ...args], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' } });
const warning = (t: number): RunEvent => ({ type: 'warning', t, message: `w${t}` });

function profile(name: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `name: ${name}\nmodels:\n  - { label: small, backend: onnx, path: /fake/small }\n  - { label: large, backend: onnx, path: /fake/large }\nworkload: { dataset: ${squad}, repeat: 1000, maxNewTokens: 8, load: { mode: closed, concurrency: 2 } }\ntelemetry: { source: none }\n`);
  return path;
}
const engines = async (model: { label: string }) => new FakeEngine({ info: { label: model.label, model: model.label }, prefillMs: 20, perTokenMs: 2, capacity: 2, output: () => 'x' });
const sink = () => new Writable({ write: (_c, _e, done) => done() });

describe('a report never overwrites its own session log', () => {
  it('duet report run.json --format json writes run.report.json and leaves the log intact', async () => {
    const log = join(dir, 'run.json');
    const text = toJsonl(fakeHeader(), fakeRunEvents({ questions: 6 }));
    writeFileSync(log, text);
    const result = await duet(['report', log, '--format', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe(text);
    expect(result.stdout).toContain(`report written to ${join(dir, 'run.report.json')}`);
    expect(statSync(join(dir, 'run.report.json')).mode & 0o777).toBe(0o600);
    // Named explicitly, it is refused in one line.
    const explicit = await duet(['report', log, '--format', 'json', '--out', log]);
    expect(explicit.exitCode).toBe(1);
    expect(explicit.stderr.trim()).toBe(`duet: --out ${log}: that is the session log being read; choose another file`);
    expect(readFileSync(log, 'utf8')).toBe(text);
  }, 60_000);
});

describe('--log never appends by accident', () => {
  it('an existing file is refused unless --append-log; two runs cannot share one file', async () => {
    const path = join(dir, 'taken.jsonl');
    const first = await openSessionLog(path, fakeHeader());
    first.write(warning(1));
    // While the first run writes it, neither a plain nor an appending second run gets in.
    await expect(openSessionLog(path, fakeHeader())).rejects.toThrow(/another duet run \(pid \d+\) is writing it/);
    await expect(openSessionLog(path, fakeHeader(), { append: true })).rejects.toThrow(/another duet run \(pid \d+\) is writing it/);
    await first.close();
    await expect(openSessionLog(path, fakeHeader())).rejects.toThrow(`--log ${path}: the file already exists (an earlier run's log?); choose another path, or pass --append-log to add this run to it`);
    const second = await openSessionLog(path, fakeHeader(), { append: true });
    second.write(warning(2));
    await second.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { kind?: string; message?: string }).kind ?? (JSON.parse(l) as { message: string }).message)).toEqual(['duet-session', 'w1', 'duet-session', 'w2']);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('a lock left by a killed run (its pid gone) does not block the next one', async () => {
    const path = join(dir, 'stale.jsonl');
    const dead = await execa('node', ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(`${path}.lock`, `${dead.stdout}\n`);
    const log = await openSessionLog(path, fakeHeader());
    await log.close();
    expect(readFileSync(path, 'utf8')).toContain('duet-session');
  });

  it('a symlink at --log is not followed, and an appended log is forced to 0600', async () => {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'unrelated\n');
    const link = join(dir, 'link.jsonl');
    symlinkSync(victim, link);
    await expect(openSessionLog(link, fakeHeader())).rejects.toThrow(/session log: cannot open .*link\.jsonl for writing \(it is a symbolic link, which duet does not follow\)/);
    await expect(openSessionLog(link, fakeHeader(), { append: true })).rejects.toThrow(/symbolic link, which duet does not follow/);
    expect(readFileSync(victim, 'utf8')).toBe('unrelated\n');
    const open = join(dir, 'open.jsonl');
    writeFileSync(open, '');
    chmodSync(open, 0o644);
    await (await openSessionLog(open, fakeHeader(), { append: true })).close();
    expect(statSync(open).mode & 0o777).toBe(0o600);
  });

  it('--log under a folder that cannot be created fails at once instead of spinning (recursive mkdir under /proc)', async () => {
    const started = Date.now();
    await expect(openSessionLog('/proc/duet-no-such/deeper/run.jsonl', fakeHeader())).rejects.toThrow(/session log: cannot open \/proc\/duet-no-such\/deeper\/run\.jsonl for writing \(E[A-Z]+/);
    // Generous: the bug is an endless loop, not a slow call.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('--append-log is a flag of duet run, and not with --no-log', () => {
    expect(parseRunFlags({ log: 'x.jsonl', appendLog: true }).appendLog).toBe(true);
    expect(() => parseRunFlags({ log: false, appendLog: true })).toThrow('--append-log: not with --no-log');
  });
});

describe('stdout closed under a headless run', () => {
  it('ends the run as if quit, with every issued question recorded, and no uncaught error', async () => {
    const log = join(dir, 'epipe.jsonl');
    let writes = 0;
    // A pipe whose reader went away after the first line (duet run --headless | head -1).
    const stdout = new Writable({
      write: (_chunk, _e, done) => (++writes === 1 ? done() : done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))),
    });
    const stderr = { text: '', write(chunk: string) { this.text += chunk; return true; } };
    const code = await runCommand(parseRunFlags({ profile: profile('epipe'), headless: true, log }), {
      stdout,
      stderr: stderr as unknown as NodeJS.WritableStream,
      prepare: { createEngine: engines },
    });
    expect(code).toBe(0);
    expect(stderr.text).toContain('duet: stdout closed (EPIPE), stopping as if quit');
    const events = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1).map((line) => JSON.parse(line) as RunEvent);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', reason: 'quit', detail: 'stdout closed' });
    const ledger = accountFor(events);
    expect(ledger.issued).toBeGreaterThan(0);
    expect(ledger.problems).toEqual([]);
  }, 30_000);
});

describe('stdout closed under the real CLI', () => {
  it('duet run --headless | head -1: exit 0, no stack trace, run-end quit, every issued question recorded', async () => {
    const log = join(dir, 'head.jsonl');
    // The demo models (built on first use, as npm start does); the pipe closes after the first status line.
    const script = `node bin/duet.js run --headless --limit 400 --telemetry none --log ${log} | head -1; echo "exit \${PIPESTATUS[0]}" >&2`;
    const result = await execa('bash', ['-c', script], { reject: false, timeout: 240_000, env: { NO_COLOR: '1' } });
    expect(result.stdout.split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('duet: stdout closed (EPIPE), stopping as if quit');
    expect(result.stderr).toMatch(/exit 0$/);
    expect(result.stderr).not.toMatch(/\n\s+at |Error:/);
    const { events } = await readSessionLog(log);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', reason: 'quit', detail: 'stdout closed' });
    const ledger = accountFor(events);
    expect(ledger.issued).toBeGreaterThan(0);
    expect(ledger.problems).toEqual([]);
  }, 240_000);
});

describe('every reader survives one bad line, a BOM and concatenated runs', () => {
  const header = fakeHeader();
  const events = fakeRunEvents({ questions: 10 });
  const text = toJsonl(header, events);

  it('an incomplete query-finished (record without its fields) is skipped with a warning, the rest folds', () => {
    const lines = text.split('\n');
    lines.splice(4, 0, '{"type":"query-finished","t":1,"record":{"model":"A"}}');
    lines.splice(6, 0, '{"type":"query-issued","t":2}', '{"type":"telemetry","t":3,"sample":{"devices":5}}', '{"type":"run-start","t":0,"models":{"A":{},"B":{}}}');
    const log = parseSessionLog(lines.join('\n'), 'bad.jsonl');
    expect(log.events).toEqual(events);
    expect(log.warnings).toEqual([
      'bad.jsonl: line 5: skipped an incomplete "query-finished" event (a field it needs is missing or of the wrong type)',
      'bad.jsonl: line 7: skipped an incomplete "query-issued" event (a field it needs is missing or of the wrong type)',
      'bad.jsonl: line 8: skipped an incomplete "telemetry" event (a field it needs is missing or of the wrong type)',
      'bad.jsonl: line 9: skipped an incomplete "run-start" event (a field it needs is missing or of the wrong type)',
    ]);
    expect(() => finalSnapshot(log)).not.toThrow();
  });

  it('report and compare go on past that line through the CLI', async () => {
    const lines = text.split('\n');
    lines.splice(4, 0, '{"type":"query-finished","t":1,"record":{"model":"A"}}');
    const bad = join(dir, 'bad-line.jsonl');
    writeFileSync(bad, lines.join('\n'));
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, text);
    const [report, compare] = await Promise.all([duet(['report', bad, '--format', 'md', '--out', '-']), duet(['compare', bad, good])]);
    for (const result of [report, compare]) {
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toContain('line 5: skipped an incomplete "query-finished" event');
      expect(result.stderr).not.toMatch(/Cannot read properties|TypeError|\n\s+at /);
    }
  }, 60_000);

  it('a UTF-8 byte order mark before the header is accepted', async () => {
    const path = join(dir, 'bom.jsonl');
    writeFileSync(path, `\ufeff${text}`);
    const log = await readSessionLog(path);
    expect(log.events).toEqual(events);
    expect(log.warnings).toEqual([]);
  });

  it('two runs in one file are split at the header: the last is read, and a warning says so', () => {
    const second = fakeRunEvents({ questions: 4, seed: 7 });
    const both = `${text}${toJsonl({ ...header, wallStart: '2026-02-02T00:00:00.000Z' }, second)}`;
    const log = parseSessionLog(both, 'two.jsonl');
    expect(log.header.wallStart).toBe('2026-02-02T00:00:00.000Z');
    expect(log.events).toEqual(second);
    const headerLine = text.trimEnd().split('\n').length + 1;
    expect(log.warnings).toEqual([`two.jsonl: holds 2 runs (appended to one file); reading the last one, from line ${headerLine}; split the file at its header lines to read the others`]);
    // The figures are the second run's alone, not both runs' records under one header.
    expect(finalSnapshot(log)).toEqual(finalSnapshot({ header, events: second }));
  });
});
