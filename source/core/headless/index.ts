import type { RunHandle, RunOutcome } from '../controller.js';
import { systemTimers, type TimerHandle, type Timers } from '../scheduler/timers.js';
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
  const interval = options.intervalMs ?? 1000;
  let timer: TimerHandle | undefined;
  const tick = () => {
    const snapshot = handle.snapshot();
    options.write(options.json ? `${JSON.stringify(statusJson(snapshot))}\n` : `${statusLine(snapshot)}\n`);
    timer = timers.setTimeout(tick, interval);
  };
  timer = timers.setTimeout(tick, interval);
  const outcome = await handle.finished;
  if (timer !== undefined) timers.clearTimeout(timer);
  options.write(options.json ? `${JSON.stringify(summaryJson(outcome))}\n` : summaryText(outcome));
  return outcome;
}
