/**
 * One doctor check's verdict. `fail` is a problem that stops a run (exit 1); `warn` is
 * one the run survives (telemetry missing, demo models still to be built); `skip` means
 * the check could not apply (e.g. no valid profile to read the dataset path from).
 */
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it (every fail and warn has one). */
  fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });
export const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'warn', detail, fix });
export const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

/** 0 when no required check failed. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

const words: Record<CheckStatus, string> = { ok: 'ok  ', fail: 'FAIL', warn: 'warn', skip: 'skip' };
const symbols: Record<CheckStatus, string> = { ok: '\x1b[32m✓\x1b[0m', fail: '\x1b[31m✗\x1b[0m', warn: '\x1b[33m!\x1b[0m', skip: '\x1b[2m-\x1b[0m' };

/** One line per check; colour symbols only when asked (a TTY without NO_COLOR), else plain words. */
export function formatResults(results: readonly CheckResult[], color: boolean): string {
  const width = Math.max(0, ...results.map((r) => r.name.length));
  const lines = results.map((r) => {
    const mark = color ? symbols[r.status] : words[r.status];
    const fix = r.fix ? ` -> fix: ${r.fix}` : '';
    return `${mark} ${r.name.padEnd(width)}  ${oneLine(r.detail)}${fix}`;
  });
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  const verdict = failed > 0 ? `${failed} problem${failed > 1 ? 's' : ''} to fix before a run` : 'ready to run';
  return `${lines.join('\n')}\n${verdict}${warned > 0 ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}\n`;
}

/** Messages from deeper layers may carry log tails over several lines: keep the first. */
export function oneLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}
