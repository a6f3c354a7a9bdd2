import { UserError } from './errors.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

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
  return Math.round(total);
}
