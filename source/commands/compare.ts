import { UsageError } from '../core/errors.js';
import { compareLogs } from '../core/session/compare.js';
import { renderCompareHtml, renderCompareMarkdown, renderCompareText } from '../core/session/compare-render.js';
import { readSessionLog } from '../core/session/reader.js';
import { defineCommand } from './command.js';
import { parseFormat, splitOut, writeOutput } from './report.js';

const FORMATS = ['text', 'html', 'md'] as const;

/** Like a report, the html comparison goes next to the (first) log it reads, not into the working directory. */
export function compareHtmlPath(firstLog: string): string {
  return `${firstLog.replace(/\.jsonl?$/i, '')}.compare.html`;
}

const help = `  Usage
    $ duet compare <logA.jsonl> <logB.jsonl> [more logs] [flags]

  A side-by-side table per model (and per policy when a log ran several): p50/p90/p99
  end-to-end latency, q/s, tokens/s, EM with 95% intervals, goodput, J per correct
  answer, with deltas against the first log marked better or worse; EM differences
  whose intervals overlap are marked n.s. (not significant). Only groups and figures
  every log has are shown; html adds bar charts.

  Flags
    --format text|html|md   (default text)
    --out FILE              write to FILE (default: stdout for text and md; for html
                            <first log>.compare.html, next to the first log);
                            --out - writes to stdout
`;

export const command = defineCommand({
  name: 'compare',
  summary: 'compare two or more session logs side by side',
  help,
  flags: {
    format: { type: 'string' },
    out: { type: 'string' },
  },
  async run(cli) {
    const { out, input } = splitOut(cli.flags.out, cli.input);
    const format = parseFormat(cli.flags.format, FORMATS, 'text');
    if (input.length < 2) throw new UsageError(`compare: give at least two session logs (got ${input.length})`);
    const logs = [];
    for (const path of input) {
      const log = await readSessionLog(path);
      for (const warning of log.warnings) process.stderr.write(`duet: warning: ${warning}\n`);
      logs.push(log);
    }
    const comparison = compareLogs(logs);
    const text = format === 'html' ? renderCompareHtml(comparison) : format === 'md' ? renderCompareMarkdown(comparison) : renderCompareText(comparison);
    const written = await writeOutput(out ?? (format === 'html' ? compareHtmlPath(input[0]!) : '-'), text, input);
    if (written !== undefined) process.stdout.write(`comparison written to ${written}\n`);
    return 0;
  },
});
