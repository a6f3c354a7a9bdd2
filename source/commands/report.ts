import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, UserError } from '../core/errors.js';
import { writePrivateFile } from '../core/files/write.js';
import { terminalSafe } from '../core/text/sanitize.js';
import { readSessionLog } from '../core/session/reader.js';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../core/session/report/index.js';
import { defineCommand } from './command.js';

const help = `  Usage
    $ duet report <log.jsonl> [flags]

  Flags
    --format html|md|json   (default html) self-contained HTML with charts, Markdown
                            tables, or JSON: the result keys of docs/results.md
                            plus the final snapshot
    --out FILE              where to write (default: next to the log, e.g.
                            logs/run.html); --out - writes to stdout
`;

/** The log's path with its extension replaced by the format's (a log named .json gets .report.json, never itself). */
export function defaultReportPath(logPath: string, format: ReportFormat): string {
  const path = `${logPath.replace(/\.jsonl?$/i, '')}.${format}`;
  return resolve(path) === resolve(logPath) ? `${logPath.replace(/\.jsonl?$/i, '')}.report.${format}` : path;
}

export function parseFormat<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--format: expected ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/**
 * meow (yargs-parser) reads `--out -` as an empty --out plus a positional "-": put them
 * back together. Returns the output (undefined when not given) and the other positionals.
 */
export function splitOut(out: string | undefined, input: readonly string[]): { out?: string; input: string[] } {
  if (out === '' && input.includes('-')) return { out: '-', input: input.filter((arg) => arg !== '-') };
  if (out === '') throw new UsageError('--out: expected a file name, or - for stdout');
  return { ...(out === undefined ? {} : { out }), input: [...input] };
}

/** Writes `text` to `out` ('-' = stdout), owner-only (it carries prompts and answers), never over one of `inputs`; returns where it went, or undefined for stdout. */
export async function writeOutput(out: string, text: string, inputs: readonly string[] = []): Promise<string | undefined> {
  if (out === '-') {
    // A closed pipe (| head) is the reader's choice, not an error.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
    process.stdout.write(terminalSafe(text, { multiline: true }));
    return undefined;
  }
  for (const input of inputs) {
    if (await sameFile(out, input)) throw new UserError(`--out ${out}: that is the session log being read; choose another file`);
  }
  await writePrivateFile(out, text, '--out');
  return out;
}

/** Same path, or the same file through a link. */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [x, y] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return x !== undefined && y !== undefined && x.dev === y.dev && x.ino === y.ino;
}

export const command = defineCommand({
  name: 'report',
  summary: 'turn a session log into an HTML, Markdown or JSON report',
  help,
  flags: {
    format: { type: 'string' },
    out: { type: 'string' },
  },
  async run(cli) {
    const { flags } = cli;
    const { out, input } = splitOut(flags.out, cli.input);
    const [path, ...extra] = input;
    if (path === undefined) throw new UsageError('report: give the session log to report on (duet report logs/<run>.jsonl)');
    if (extra.length > 0) throw new UsageError(`report: one log at a time (got ${input.length}); use duet compare for several`);
    const format = parseFormat(flags.format, REPORT_FORMATS, 'html');
    const log = await readSessionLog(path);
    for (const warning of log.warnings) process.stderr.write(`duet: warning: ${warning}\n`);
    const written = await writeOutput(out ?? defaultReportPath(path, format), renderReport(log, format), [path]);
    if (written !== undefined) process.stdout.write(`report written to ${written}\n`);
    return 0;
  },
});
