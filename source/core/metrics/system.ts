import type { QueryRecord } from '../query.js';

/**
 * The system's answer to one question: what every "A+B" (system) figure counts, once per
 * question, in the store, the segments, compare and reports alike.
 *
 *   routed (one model)  the record of the model the policy chose
 *   cascade             the final answer: A's, or B's when A's was escalated, timed from the
 *                       question's first issue (A's attempt included) and with the output
 *                       tokens of both attempts; A's escalated record counts for model A only
 *   mirror              the pair: timed by the answer that completed last (the pair is done
 *                       when both are), output tokens of both, and accuracy over both
 *                       answers (the share of the pair's answers that are exact); the pair
 *                       fails, times out or is cancelled when either answer does
 *
 * `record` carries the question's timings and outcome, `inputTokens` and `outputTokens`
 * every prompt and output token the system processed for it, `scored` the answers its
 * accuracy counts (one, none for a failure, or both of a mirror pair).
 */
export interface SystemAnswer {
  record: QueryRecord;
  inputTokens: number;
  outputTokens: number;
  scored: readonly QueryRecord[];
}

/** A cascade answer replaced by the large model's (the small model's record of an escalated question). */
export function isSuperseded(record: QueryRecord): boolean {
  return record.model === 'A' && record.escalated === true;
}

/** Whether a record is one half of a mirrored question (both models asked the same question). */
function isMirrored(record: QueryRecord): boolean {
  return record.policy === 'mirror';
}

/**
 * Folds non-warm-up records, in completion order, into system answers. Only questions in
 * flight are held (a mirror pair's first half, a cascade's escalated attempt), so memory
 * does not grow with the run.
 */
export class SystemAnswers {
  private readonly halves = new Map<number, QueryRecord>();
  /** Cascade questions escalated and not yet answered by B: the small model's attempt. */
  private readonly escalated = new Map<number, QueryRecord>();

  /** The question's system answer once this record completes it, else undefined. */
  add(record: QueryRecord): SystemAnswer | undefined {
    if (isSuperseded(record)) {
      this.escalated.set(record.seq, record);
      return undefined;
    }
    const attempt = record.escalated ? this.escalated.get(record.seq) : undefined;
    if (attempt) {
      this.escalated.delete(record.seq);
      const final: QueryRecord = { ...record, tIssued: Math.min(attempt.tIssued, record.tIssued) };
      return { record: final, ...tokensOf(attempt, record), scored: record.error === undefined ? [record] : [] };
    }
    if (!isMirrored(record)) return { record, ...tokensOf(record), scored: record.error === undefined ? [record] : [] };
    const other = this.halves.get(record.seq);
    if (other === undefined) {
      this.halves.set(record.seq, record);
      return undefined;
    }
    this.halves.delete(record.seq);
    return pairOf(other, record);
  }
}

/** The system answers of a finished list of records (a session log's), in completion order. */
export function systemAnswersOf(records: readonly QueryRecord[]): SystemAnswer[] {
  const fold = new SystemAnswers();
  const answers: SystemAnswer[] = [];
  for (const record of [...records].sort((a, b) => a.tDone - b.tDone)) {
    if (record.warmup) continue;
    const answer = fold.add(record);
    if (answer) answers.push(answer);
  }
  return answers;
}

function pairOf(first: QueryRecord, second: QueryRecord): SystemAnswer {
  const [early, late] = first.tDone <= second.tDone ? [first, second] : [second, first];
  const tokens = tokensOf(early, late);
  const failed = [late, early].find((r) => r.error !== undefined);
  if (failed) return { record: failed, ...tokens, scored: [] };
  return { record: late, ...tokens, scored: [early, late] };
}

function tokensOf(...records: QueryRecord[]): { inputTokens: number; outputTokens: number } {
  let inputTokens = 0;
  let outputTokens = 0;
  for (const r of records) {
    inputTokens += r.promptTokens;
    outputTokens += r.outputTokens;
  }
  return { inputTokens, outputTokens };
}
