import type { ModelSlot } from './engines/engine.js';

/**
 * The one record of a query answered (or failed) by one model. All times are on the
 * run clock (ms). A question sent to both models (mirror policy) yields two records.
 *
 *   tIssued      the load generator released the question (preprocessing starts)
 *   tEnqueued    prompt built and tokenised; handed to the model's engine
 *   tStart       the engine began computing it (left the engine's queue / joined a batch)
 *   tFirstToken  first output token
 *   tEnd         last output token
 *   tDone        postprocessing (answer extraction + scoring) finished
 *
 * End-to-end latency, as the Ascend study defines it, is tDone - tIssued.
 */
export interface QueryRecord {
  /** Unique per record: `${seq}:${model}`. */
  id: string;
  /** Sequence number of the issued question (shared by both records of a mirrored question). */
  seq: number;
  questionId: string;
  /** The question text (for tickers, reports and the slowest-requests view). */
  question?: string;
  model: ModelSlot;
  policy: string;
  /** Policy segment the question was issued in. */
  segment: number;
  /** True for warm-up questions, excluded from figures. */
  warmup: boolean;
  tIssued: number;
  tEnqueued: number;
  tStart?: number;
  tFirstToken?: number;
  tEnd?: number;
  tDone: number;
  tokenTimes?: number[];
  promptTokens: number;
  contextTrimmed: boolean;
  outputTokens: number;
  batchSize?: number;
  rawOutput?: string;
  prediction?: string;
  /** Gold answers ([''] for unanswerable). */
  gold?: string[];
  answerable?: boolean;
  em?: number;
  f1?: number;
  meanLogProb?: number;
  /** Cascade: set on a record whose question was escalated to the large model (either record may carry it). */
  escalated?: boolean;
  finishReason?: string;
  /** Set when the query failed; the record still counts, as an error. */
  error?: string;
  timedOut?: boolean;
}
