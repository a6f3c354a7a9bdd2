import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The real CLI in a real terminal: `duet run` on the demo models inside tmux (120x40),
 * driven with send-keys and read with capture-pane. On a fresh clone the run first builds
 * the demo models into models/, exactly as `npm start` does, so this covers the first run too.
 */

const root = process.cwd();
const tmux = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p));
// The only guard is the environment: no tmux, no terminal to drive.
if (!tmux) console.warn('test/e2e/tui.test.ts skipped: tmux is not installed');

const session = `duet-e2e-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'duet-e2e-'));
const exitFile = join(work, 'exit');
const logFile = join(work, 'session.jsonl');

function tm(...args: string[]): string {
  return execFileSync(tmux!, args, { encoding: 'utf8' });
}
const screen = () => tm('capture-pane', '-p', '-t', session);
const press = (...keys: string[]) => tm('send-keys', '-t', session, ...keys);

async function until<T>(what: string, probe: () => T | undefined | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${safeScreen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
function safeScreen(): string {
  try {
    return screen();
  } catch {
    return '(no tmux session)';
  }
}
/** The screen's lines from the TUI's first line on (progress lines may precede it). */
function tuiLines(): string[] {
  const lines = screen().split('\n');
  const header = lines.findIndex((line) => /^policy \S+ · /.test(line));
  return header > 0 ? lines.slice(header - 1) : [];
}
const badgeLine = () => tuiLines()[0] ?? '';
const headerLine = () => tuiLines()[1] ?? '';

afterAll(() => {
  if (tmux) {
    try {
      tm('kill-session', '-t', session);
    } catch {
      /* already gone */
    }
  }
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!tmux)(`duet run in tmux${tmux ? '' : ' (skipped: tmux is not installed)'}`, () => {
  it('opens the live screen; p, +, space, s and q act; exits 0; the log holds the switches', { timeout: 600_000 }, async () => {
    const command = `cd '${root}' && node bin/duet.js run --log '${logFile}'; echo $? > '${exitFile}'; sleep 600`;
    tm('new-session', '-d', '-s', session, '-x', '120', '-y', '40', command);

    // The screen is up and answers are coming in.
    // Building (first run) and loading both models can take minutes on a busy CPU.
    await until('the live screen', () => /policy \S+ · /.test(headerLine()) && /p policy/.test(screen()), 420_000);
    await until('finished answers', () => /· [1-9]\d*(\/\d+)? done ·/.test(headerLine()), 90_000);
    expect(screen()).toContain('SYNTHETIC WEIGHTS');
    const policyBefore = /policy (\S+) · /.exec(headerLine())![1]!;
    const loadBefore = /(concurrency \d+|rate [\d.]+ q\/s)/.exec(headerLine())![1]!;

    press('p');
    const policyAfter = await until('the policy to change', () => {
      const m = /policy (\S+) · /.exec(headerLine());
      return m && m[1] !== policyBefore ? m[1] : undefined;
    });
    expect(screen()).toContain(`policy ${policyBefore} → ${policyAfter}`);

    press('+');
    await until('the load to change', () => {
      const m = /(concurrency \d+|rate [\d.]+ q\/s)/.exec(headerLine());
      return m && m[1] !== loadBefore;
    });

    press('Space');
    await until('the PAUSED badge', () => badgeLine().includes('PAUSED'));

    press('s');
    const saved = await until('the saved log path', () => /session log saved: (\S+)/.exec(screen())?.[1]);

    press('q');
    await until('duet to exit', () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '', 60_000);
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');

    const logPath = isAbsolute(saved) ? saved : join(root, saved);
    expect(logPath).toBe(logFile);
    const events = readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type?: string; from?: string; to?: string; paused?: boolean });
    expect(events.some((e) => e.type === 'policy-switch' && e.from === policyBefore && e.to === policyAfter)).toBe(true);
    expect(events.some((e) => e.type === 'load-change')).toBe(true);
    expect(events.some((e) => e.type === 'pause' && e.paused === true)).toBe(true);
  });
});
