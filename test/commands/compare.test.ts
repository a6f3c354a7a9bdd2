import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../source/commands/compare.js';
import { UsageError, UserError } from '../../source/core/errors.js';
import { fakeHeader, fakeRunEvents, toJsonl } from '../core/session/fake-run.js';

async function logs(): Promise<{ dir: string; a: string; b: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'duet-compare-'));
  const a = path.join(dir, 'a.jsonl');
  const b = path.join(dir, 'b.jsonl');
  await writeFile(a, toJsonl(fakeHeader(), fakeRunEvents({ questions: 12, seed: 1 })));
  // b was killed: no run-end and half a line at the end.
  await writeFile(b, `${toJsonl(fakeHeader(), fakeRunEvents({ questions: 12, seed: 2, ended: false }))}{"type":"query-fin`);
  return { dir, a, b };
}

const run = (input: string[], flags: { format?: string; out?: string } = {}) => command.run({ input, flags: { format: flags.format, out: flags.out } });

afterEach(() => vi.restoreAllMocks());

describe('duet compare', () => {
  it('prints text to stdout, warns about a truncated log, writes html to --out', async () => {
    const { dir, a, b } = await logs();
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
    expect(await run([a, b])).toBe(0);
    expect(out.join('')).toMatch(/^1\. a\.jsonl: .*\n2\. b\.jsonl: /);
    expect(out.join('')).toContain('\nmodel A\n');
    expect(err.join('')).toMatch(/^duet: warning: .*b\.jsonl: line \d+: skipped a truncated last line/);
    const html = path.join(dir, 'c.html');
    expect(await run([a, b], { format: 'html', out: html })).toBe(0);
    expect(await readFile(html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*<h2>model A<\/h2>/);
  });

  it('needs two logs and a known format', async () => {
    const { a, b } = await logs();
    await expect(run([a])).rejects.toThrow(new UsageError('compare: give at least two session logs (got 1)'));
    await expect(run([a, b], { format: 'pdf' })).rejects.toThrow(new UsageError('--format: expected text, html, md, got "pdf"'));
    await expect(run([a, `${b}.nope`])).rejects.toThrow(new UserError(`${b}.nope: no such session log`));
  });

  it('writes html next to the first log by default, not into the working directory', async () => {
    const { dir, a, b } = await logs();
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run([a, b], { format: 'html' })).toBe(0);
    const expected = path.join(dir, 'a.compare.html');
    expect(out.join('')).toContain(`comparison written to ${expected}`);
    expect(await readFile(expected, 'utf8')).toContain('<svg');
  });
});
