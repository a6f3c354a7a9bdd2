import { basename } from 'node:path';
import type { RunOutcome } from '../core/controller.js';
import { UsageError, UserError } from '../core/errors.js';
import { terminalSafe } from '../core/text/sanitize.js';
import { summaryText } from '../core/headless/summary.js';
import { finalSnapshot } from '../core/session/fold.js';
import { readSessionLog } from '../core/session/reader.js';
import { createReplay, MAX_SPEED, MIN_SPEED } from '../core/session/replay.js';
import { defineCommand } from './command.js';

const help = `  Usage
    $ duet replay <log.jsonl> [flags]

  Plays a session log back on the live screen, rebuilt from the log alone.
  Keys: space pause, ←/→ seek 10 s, +/- speed, q quit.
  Without a terminal it prints the log's final summary instead.

  Flags
    --speed N    playback speed, ${MIN_SPEED} to ${MAX_SPEED} (default 1)
`;

export function parseSpeed(value: string | undefined): number {
  if (value === undefined) return 1;
  const speed = Number(value.replace(/x$/i, ''));
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) throw new UserError(`--speed: expected a number from ${MIN_SPEED} to ${MAX_SPEED}, got "${value}"`);
  return speed;
}

export const command = defineCommand({
  name: 'replay',
  summary: 'play a session log back on the live screen',
  help,
  flags: {
    speed: { type: 'string' },
  },
  async run({ input, flags }) {
    const [path, ...extra] = input;
    if (path === undefined) throw new UsageError('replay: give the session log to play (duet replay logs/<run>.jsonl)');
    if (extra.length > 0) throw new UsageError(`replay: one log at a time (got ${input.length})`);
    const speed = parseSpeed(flags.speed);
    const log = await readSessionLog(path);
    for (const warning of log.warnings) process.stderr.write(`duet: warning: ${warning}\n`);
    let outcome: RunOutcome;
    if (process.stdout.isTTY) {
      const { runLive } = await import('../app/live.js');
      outcome = await runLive(createReplay(log, { speed }), { mode: 'replay', title: `replay ${basename(path)}` });
    } else {
      process.stdout.write('duet replay: stdout is not a terminal, so here is the final summary of the log instead of the replay\n');
      outcome = { reason: 'finished', snapshot: finalSnapshot(log), logPath: path, exitCode: 0, ...(log.complete ? {} : { detail: 'log interrupted: no run-end' }) };
    }
    process.stdout.write(terminalSafe(summaryText(outcome), { multiline: true }));
    return 0;
  },
});
