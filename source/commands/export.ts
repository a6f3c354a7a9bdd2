import { UsageError } from '../core/errors.js';
import { writePrivateFile } from '../core/files/write.js';
import { COLUMNS, rowOf, toCsv, toJsonl, toParquet } from '../core/results/rows.js';
import { readSessionLog } from '../core/session/reader.js';
import { defineCommand } from './command.js';
import { parseFormat, splitOut, writeOutput } from './report.js';

const FORMATS = ['csv', 'jsonl', 'parquet'] as const;

const help = `  Usage
    $ duet export <log.jsonl> --format csv|jsonl|parquet [--out FILE]

  One row per request of a session log (warm-up ones flagged): every time stamp and
  latency, tokens, prediction, gold, em, f1, policy, segment; the ${COLUMNS.length} columns are in
  docs/results.md.

  Flags
    --format csv|jsonl|parquet   (default csv)
    --out FILE                   where to write (default: next to the log, e.g.
                                 logs/run.requests.csv); --out - writes to stdout
`;

export const command = defineCommand({
  name: 'export',
  summary: 'one row per request of a session log, as CSV, JSON lines or Parquet',
  help,
  flags: {
    format: { type: 'string' },
    out: { type: 'string' },
  },
  async run(cli) {
    const { out, input } = splitOut(cli.flags.out, cli.input);
    const [path, ...extra] = input;
    if (path === undefined) throw new UsageError('export: give the session log to export (duet export logs/<run>.jsonl --format csv)');
    if (extra.length > 0) throw new UsageError(`export: one log at a time (got ${input.length})`);
    const format = parseFormat(cli.flags.format, FORMATS, 'csv');
    const log = await readSessionLog(path);
    for (const warning of log.warnings) process.stderr.write(`duet: warning: ${warning}\n`);
    const labels = { A: log.header.models.A.label, B: log.header.models.B.label };
    const rows = log.events.flatMap((e) => (e.type === 'query-finished' || e.type === 'query-failed' ? [rowOf(e.record, labels[e.record.model])] : []));
    const target = out ?? `${path.replace(/\.jsonl?$/i, '')}.requests.${format}`;
    if (format === 'parquet') {
      const bytes = await toParquet(rows);
      if (target === '-') process.stdout.write(bytes);
      else await writePrivateFile(target, bytes, '--out');
    } else {
      await writeOutput(target, format === 'csv' ? toCsv(rows) : toJsonl(rows), [path]);
    }
    if (target !== '-') process.stdout.write(`${rows.length} rows written to ${target}\n`);
    return 0;
  },
});
