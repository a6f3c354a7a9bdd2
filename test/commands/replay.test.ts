import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command, parseSpeed } from '../../source/commands/replay.js';
import { UsageError, UserError } from '../../source/core/errors.js';
import { fakeHeader, fakeRunEvents, toJsonl } from '../core/session/fake-run.js';

afterEach(() => vi.restoreAllMocks());

describe('duet replay', () => {
  it.skipIf(process.stdout.isTTY === true)('without a terminal prints one line saying so, then the final summary', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'duet-replay-'));
    const log = path.join(dir, 'run.jsonl');
    await writeFile(log, toJsonl(fakeHeader(), fakeRunEvents({ questions: 10, ended: false })));
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    expect(await command.run({ input: [log], flags: { speed: '4' } })).toBe(0);
    const text = out.join('');
    expect(text.split('\n')[0]).toBe('duet replay: stdout is not a terminal, so here is the final summary of the log instead of the replay');
    // Warm-up question 0 is left out: 9 of 10 questions done; no run-end in the log.
    expect(text).toContain('duet: run finished (log interrupted: no run-end)');
    expect(text).toContain('9/10 questions');
    expect(text).toContain(`session log: ${log}`);
  });

  it('--speed takes 0.25 to 64, with or without an x', () => {
    expect([parseSpeed(undefined), parseSpeed('4'), parseSpeed('0.25x'), parseSpeed('64')]).toEqual([1, 4, 0.25, 64]);
    for (const bad of ['0', '100', 'fast', '-2']) expect(() => parseSpeed(bad)).toThrow(new UserError(`--speed: expected a number from 0.25 to 64, got "${bad}"`));
  });

  it('needs exactly one log', async () => {
    await expect(command.run({ input: [], flags: { speed: undefined } })).rejects.toThrow(new UsageError('replay: give the session log to play (duet replay logs/<run>.jsonl)'));
    await expect(command.run({ input: ['a', 'b'], flags: { speed: undefined } })).rejects.toThrow(/one log at a time/);
  });
});

describe('duet from another working directory', () => {
  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasScript)('draws the replay screen when run from outside the repository (its own tsconfig, not the working directory\'s)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'duet-elsewhere-'));
    const log = path.join(dir, 'run.jsonl');
    await writeFile(log, toJsonl(fakeHeader(), fakeRunEvents({ questions: 10 })));
    const bin = fileURLToPath(new URL('../../bin/duet.js', import.meta.url));
    // A pseudo-terminal (util-linux script) so the screen is drawn; replay holds at its end, so stop it after a while.
    const child = spawn('script', ['-qfec', `stty cols 100 rows 30; exec ${process.execPath} ${bin} replay ${log} --speed 64`, '/dev/null'], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => setTimeout(resolve, 8000));
    child.kill('SIGKILL');
    expect(out).not.toContain('React is not defined');
    expect(out).toContain('REPLAY');
  }, 30_000);
});
