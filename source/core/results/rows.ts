/**
 * One row per request of a session log, for `duet export` (pandas, spreadsheets,
 * DuckDB): every time stamp, the latencies derived from them, tokens, the answer and its
 * score. The columns and their meaning are in docs/results.md.
 */
import type { QueryRecord } from '../query.js';
import { latencyValuesOf } from '../metrics/latency-values.js';

export type Cell = string | number | boolean | null;
export type ColumnType = 'string' | 'int' | 'double' | 'boolean';

export const COLUMNS = [
  ['id', 'string'], ['seq', 'int'], ['question_id', 'string'], ['model', 'string'], ['model_label', 'string'],
  ['policy', 'string'], ['segment', 'int'], ['warmup', 'boolean'], ['outcome', 'string'],
  ['t_scheduled_ms', 'double'], ['t_issued_ms', 'double'], ['t_enqueued_ms', 'double'], ['t_start_ms', 'double'],
  ['t_first_token_ms', 'double'], ['t_end_ms', 'double'], ['t_done_ms', 'double'],
  ['e2el_ms', 'double'], ['ttft_ms', 'double'], ['tpot_ms', 'double'], ['mean_itl_ms', 'double'], ['queue_ms', 'double'], ['pre_ms', 'double'], ['post_ms', 'double'],
  ['prompt_tokens', 'int'], ['output_tokens', 'int'], ['batch_size', 'int'], ['context_trimmed', 'boolean'], ['answerable', 'boolean'],
  ['question', 'string'], ['prediction', 'string'], ['gold', 'string'], ['em', 'double'], ['f1', 'double'], ['mean_log_prob', 'double'],
  ['escalated', 'boolean'], ['finish_reason', 'string'], ['error', 'string'],
] as const satisfies readonly (readonly [string, ColumnType])[];

export type Column = (typeof COLUMNS)[number][0];
export type Row = Record<Column, Cell>;

export function outcomeOf(record: QueryRecord): 'answered' | 'error' | 'timeout' | 'cancelled' {
  if (record.cancelled) return 'cancelled';
  if (record.timedOut) return 'timeout';
  return record.error === undefined ? 'answered' : 'error';
}

const value = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** A failed request has no latencies: only what it records about itself. */
function latencies(record: QueryRecord): Pick<Row, 'e2el_ms' | 'ttft_ms' | 'tpot_ms' | 'mean_itl_ms' | 'queue_ms' | 'pre_ms' | 'post_ms'> {
  const none = { e2el_ms: null, ttft_ms: null, tpot_ms: null, mean_itl_ms: null, queue_ms: null, pre_ms: null, post_ms: null };
  if (record.error !== undefined) return none;
  const v = latencyValuesOf(record);
  const first = (values: number[] | undefined) => values?.[0] ?? null;
  const itl = v.itl;
  return {
    e2el_ms: first(v.e2e),
    ttft_ms: first(v.ttft),
    tpot_ms: first(v.tpot),
    mean_itl_ms: itl && itl.length > 0 ? itl.reduce((a, b) => a + b, 0) / itl.length : null,
    queue_ms: first(v.queue),
    pre_ms: first(v.pre),
    post_ms: first(v.post),
  };
}

export function rowOf(record: QueryRecord, modelLabel: string): Row {
  return {
    id: record.id,
    seq: record.seq,
    question_id: record.questionId,
    model: record.model,
    model_label: modelLabel,
    policy: record.policy,
    segment: record.segment,
    warmup: record.warmup,
    outcome: outcomeOf(record),
    t_scheduled_ms: value(record.tScheduled),
    t_issued_ms: record.tIssued,
    t_enqueued_ms: record.tEnqueued,
    t_start_ms: value(record.tStart),
    t_first_token_ms: value(record.tFirstToken),
    t_end_ms: value(record.tEnd),
    t_done_ms: record.tDone,
    ...latencies(record),
    prompt_tokens: record.promptTokens,
    output_tokens: record.outputTokens,
    batch_size: value(record.batchSize),
    context_trimmed: record.contextTrimmed,
    answerable: value(record.answerable),
    question: value(record.question),
    prediction: value(record.prediction),
    gold: record.gold === undefined ? null : JSON.stringify(record.gold),
    em: value(record.em),
    f1: value(record.f1),
    mean_log_prob: value(record.meanLogProb),
    escalated: record.escalated === true,
    finish_reason: value(record.finishReason),
    error: value(record.error),
  };
}

/** RFC 4180 CSV: a header line, then one line per row; null is an empty field. */
export function toCsv(rows: readonly Row[]): string {
  const field = (cell: Cell): string => {
    if (cell === null) return '';
    const text = String(cell);
    return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const row of rows) lines.push(COLUMNS.map(([name]) => field(row[name])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJsonl(rows: readonly Row[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

const PARQUET_TYPES: Record<ColumnType, 'STRING' | 'INT32' | 'DOUBLE' | 'BOOLEAN'> = { string: 'STRING', int: 'INT32', double: 'DOUBLE', boolean: 'BOOLEAN' };

/** A Parquet file (hyparquet-writer, SNAPPY): typed, nullable columns in the order of COLUMNS. */
export async function toParquet(rows: readonly Row[]): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const columnData = COLUMNS.map(([name, type]) => ({ name, type: PARQUET_TYPES[type], nullable: true, data: rows.map((row) => row[name]) }));
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'duet' }));
}
