import { UserError } from './errors.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest delay a Node timer can hold (2^31 - 1 ms, about 24.8 days). Node fires a
 * longer one after 1 ms with only a warning, which would end a run or time out every
 * request at once: durations and timeouts above it are refused where they are parsed.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` within what a timer can wait: a longer delay waits the longest possible time instead of firing at once. */
export function timerDelay(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, Number.isFinite(ms) || ms > 0 ? ms : 0));
}

/**
 * Parses a human duration ("500ms", "1s", "1.5s", "2m", "1h", "1m30s") into milliseconds
 * (rounded to whole ms). A bare number is refused: "5" could mean seconds or ms, and a
 * wrong guess silently changes a measurement. Throws a UserError naming `what`.
 */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (!match) break;
    total += Number(match[1]) * unitMs[match[2]!]!;
    at = part.lastIndex;
  }
  if (trimmed.length === 0 || at !== trimmed.length || !Number.isFinite(total)) {
    throw new UserError(`${what}: expected a duration like 500ms, 1s, 2m or 1m30s, got "${text}"`);
  }
  if (Math.round(total) > MAX_TIMER_MS) throw new UserError(`${what}: at most 596h (2^31-1 ms, the longest a timer can wait), got "${text}"`);
  return Math.round(total);
}
