import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command as exportCommand } from '../../source/commands/export.js';
import { COLUMNS } from '../../source/core/results/rows.js';
import { failed, finished, issued, record, runStart } from '../core/metrics/fixtures.js';
import { fakeHeader } from '../core/session/fake-run.js';

/**
 * A log of three requests (fixture timings: pre 2, queue 3, first token 20 ms after issue,
 * so TTFT 18 from the send, 5 tokens 10 ms apart, post 4, so e2e 64 ms): A answers q1 right, B answers "Lyon, France" (a
 * comma, which CSV must quote) wrongly, and B's q2 is cancelled at quit.
 */
function writeLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'duet-export-'));
  const path = join(dir, 'run.jsonl');
  const events = [
    runStart(0, 'mirror'),
    issued(1, 1000, ['A', 'B'], { policy: 'mirror' }),
    finished(record(1, 1000, { policy: 'mirror' })),
    finished(record(1, 1000, { model: 'B', policy: 'mirror', prediction: 'Lyon, France', em: 0, f1: 0 })),
    issued(2, 2000, ['B'], { policy: 'mirror' }),
    failed({ ...record(2, 2000, { model: 'B', policy: 'mirror' }), tFirstToken: undefined, tEnd: undefined, tokenTimes: [], outputTokens: 0, tDone: 2500, error: 'cancelled at the end of the run', cancelled: true }),
    { type: 'run-end', t: 2500, reason: 'quit' },
  ];
  writeFileSync(path, [fakeHeader(), ...events].map((e) => JSON.stringify(e)).join('\n') + '\n');
  return path;
}

async function run(args: string[], flags: { format?: string; out?: string }): Promise<string> {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await exportCommand.run({ input: args, flags: { format: flags.format, out: flags.out } });
  vi.restoreAllMocks();
  return out.join('');
}

afterEach(() => vi.restoreAllMocks());

describe('duet export', () => {
  it('csv: a header of every column, one line per request, RFC 4180 quoting, empty for missing values', async () => {
    const log = writeLog();
    const csv = log.replace(/\.jsonl$/, '.requests.csv');
    expect(await run([log], { format: 'csv' })).toBe(`3 rows written to ${csv}\n`);
    const [head, a, b, cancelled, end] = readFileSync(csv, 'utf8').split('\r\n');
    expect(head).toBe(COLUMNS.map(([name]) => name).join(','));
    expect(end).toBe('');
    const cells = (line: string) => Object.fromEntries(COLUMNS.map(([name], i) => [name, line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)![i]!.replace(/,$/, '')]));
    expect(cells(a!)).toMatchObject({ id: '1:A', model: 'A', model_label: 'small', outcome: 'answered', t_issued_ms: '1000', e2el_ms: '64', ttft_ms: '18', tpot_ms: '10', mean_itl_ms: '10', queue_ms: '3', pre_ms: '2', post_ms: '4', output_tokens: '5', em: '1', gold: '"[""Paris""]"' });
    expect(cells(b!)).toMatchObject({ id: '1:B', model_label: 'large', prediction: '"Lyon, France"', em: '0' });
    expect(cells(cancelled!)).toMatchObject({ id: '2:B', outcome: 'cancelled', t_first_token_ms: '', e2el_ms: '', ttft_ms: '', error: 'cancelled at the end of the run' });
  });

  it('jsonl to stdout (--out -): one object per request, null for missing values; a bad format is a usage error', async () => {
    const log = writeLog();
    const lines = (await run([log, '-'], { format: 'jsonl', out: '' })).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['1:A', '1:B', '2:B']);
    await expect(run([log], { format: 'xlsx' })).rejects.toThrow('--format: expected csv, jsonl, parquet, got "xlsx"');
  });

  it('jsonl and parquet hold the same rows, typed (read back with hyparquet)', async () => {
    const log = writeLog();
    await run([log], { format: 'jsonl' });
    const json = readFileSync(log.replace(/\.jsonl$/, '.requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toHaveLength(3);
    expect(json[2]).toMatchObject({ id: '2:B', outcome: 'cancelled', e2el_ms: null, em: 1, warmup: false });
    await run([log], { format: 'parquet', out: join(log, '..', 'run.parquet') });
    const bytes = readFileSync(join(log, '..', 'run.parquet'));
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
    expect(rows).toEqual(json);
  });
});
