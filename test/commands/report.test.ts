import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command, defaultReportPath, splitOut } from '../../source/commands/report.js';
import { UsageError, UserError } from '../../source/core/errors.js';
import { MetricsStore } from '../../source/core/metrics/store.js';
import { fakeHeader, fakeRunEvents, toJsonl } from '../core/session/fake-run.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

async function logFile(name = 'run.jsonl', text = toJsonl(fakeHeader(), fakeRunEvents({ questions: 16 }))): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'duet-report-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

function run(input: string[], flags: { format?: string; out?: string } = {}) {
  return command.run({ input, flags: { format: flags.format, out: flags.out } });
}

afterEach(() => vi.restoreAllMocks());

describe('duet report', () => {
  it('writes html next to the log by default, and md/json with their extensions', async () => {
    const log = await logFile();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await run([log])).toBe(0);
    expect(await readFile(log.replace(/\.jsonl$/, '.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(await run([log], { format: 'md' })).toBe(0);
    expect(await readFile(log.replace(/\.jsonl$/, '.md'), 'utf8')).toMatch(/^# duet session report/);
    expect(defaultReportPath('logs/a.jsonl', 'json')).toBe('logs/a.json');
    expect(defaultReportPath('logs/a.log', 'md')).toBe('logs/a.log.md');
  });

  it('--format json --out - prints the final snapshot the store computes from the same events', async () => {
    const events = fakeRunEvents({ questions: 16 });
    const log = await logFile('j.jsonl', toJsonl(fakeHeader(), events));
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (chunks.push(String(chunk)), true));
    expect(await run([log, '-'], { format: 'json', out: '' })).toBe(0);
    const store = new MetricsStore({ slo: {} });
    for (const event of events) store.push(event);
    const json = JSON.parse(chunks.join('')) as { snapshot: unknown };
    expect(json.snapshot).toEqual(JSON.parse(JSON.stringify(store.snapshot(events[events.length - 1]!.t))));
  });

  it('user mistakes are UserErrors with one clear line', async () => {
    const log = await logFile();
    await expect(run([])).rejects.toThrow(new UsageError('report: give the session log to report on (duet report logs/<run>.jsonl)'));
    await expect(run([log], { format: 'pdf' })).rejects.toThrow(new UsageError('--format: expected html, md, json, got "pdf"'));
    await expect(run([log, log])).rejects.toThrow(/one log at a time/);
    await expect(run([`${log}.missing`])).rejects.toThrow(new UserError(`${log}.missing: no such session log`));
    expect(() => splitOut('', [log])).toThrow(new UsageError('--out: expected a file name, or - for stdout'));
    await expect(run([log], { out: path.join(log, 'nope', 'x.html') })).rejects.toThrow(/^--out .*: cannot write/);
  });

  it('from the command line: a file that is not a session log ends in one line, exit 1', { timeout: 30_000 }, async () => {
    const csv = await logFile('data.csv', 'id,question\n1,what?\n');
    const result = await execa('node', ['bin/duet.js', 'report', csv], { cwd: repoRoot, reject: false });
    expect([result.exitCode, result.stdout, result.stderr]).toEqual([1, '', `duet: ${csv}: not a duet session log (the first line is not JSON)`]);
  });
});
