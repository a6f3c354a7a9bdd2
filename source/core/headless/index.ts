import type { RunHandle, RunOutcome } from '../controller.js';
import { systemTimers, type TimerHandle, type Timers } from '../scheduler/timers.js';
import { terminalSafe } from '../text/sanitize.js';
import { statusJson, statusLine } from './status.js';
import { summaryJson, summaryText } from './summary.js';

export { statusJson, statusLine, type StatusJson } from './status.js';
export { summaryJson, summaryText, SYNTHETIC_NOTE } from './summary.js';

export interface HeadlessOptions {
  /** One JSON object per line instead of text. */
  json: boolean;
  write(text: string): void;
  intervalMs?: number;
  timers?: Timers;
}

/**
 * Drives a run without a screen: a status line (or JSON object) every second, then the
 * summary when the run ends, however it ends. Resolves with the run's outcome.
 */
export async function runHeadless(handle: RunHandle, options: HeadlessOptions): Promise<RunOutcome> {
  const timers = options.timers ?? systemTimers;
  // Labels, questions, answers and server details come from outside: no escape sequence reaches the terminal.
  const write = (text: string) => options.write(terminalSafe(text, { multiline: true }));
  const interval = options.intervalMs ?? 1000;
  let timer: TimerHandle | undefined;
  const tick = () => {
    const snapshot = handle.snapshot();
    write(options.json ? `${JSON.stringify(statusJson(snapshot))}\n` : `${statusLine(snapshot)}\n`);
    timer = timers.setTimeout(tick, interval);
  };
  timer = timers.setTimeout(tick, interval);
  const outcome = await handle.finished;
  if (timer !== undefined) timers.clearTimeout(timer);
  write(options.json ? `${JSON.stringify(summaryJson(outcome))}\n` : summaryText(outcome));
  return outcome;
}
