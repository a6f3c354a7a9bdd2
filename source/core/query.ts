import type { ModelSlot } from './engines/engine.js';

/**
 * The one record of a query answered (or failed) by one model. All times are on the
 * run clock (ms). A question sent to both models (mirror policy) yields two records.
 *
 *   tScheduled   when the load generator meant to release the question (open loop: the
 *                absolute arrival timeline; closed loop: when a slot freed)
 *   tIssued      preprocessing starts: tEnqueued - prepMs (prompts are built ahead of the
 *                send, off the stamping thread, and their measured cost placed before it)
 *   tEnqueued    the request was sent / handed to the engine, stamped on the measuring plane
 *   tStart       the engine began computing it (left the engine's queue / joined a batch)
 *   tFirstToken  first output token of any kind (reasoning included), stamped where its bytes arrived
 *   tEnd         last output token, stamped where its bytes arrived
 *   tDone        postprocessing (answer extraction + scoring) finished: tEnd + its measured cost
 *
 * End-to-end latency, as the Ascend study defines it, is tDone - tIssued. Send lag is
 * tEnqueued - tScheduled; figures "from schedule" add it (MLPerf LoadGen's rule).
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
  tScheduled?: number;
  tIssued: number;
  tEnqueued: number;
  tStart?: number;
  tFirstToken?: number;
  tEnd?: number;
  tDone: number;
  /** Arrival time of every output chunk that carried tokens, in order (one per token unless chunkTokens says otherwise). */
  tokenTimes?: number[];
  /** Tokens carried by each tokenTimes entry, when a server packed several into one chunk (per-chunk usage). Absent: one each. */
  chunkTokens?: number[];
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
  /** First token of the answer itself, after any reasoning (reasoning models; else tFirstToken). */
  tFirstAnswerToken?: number;
  /** Reasoning tokens among outputTokens (the server's count when it gives one), when the model reasoned. */
  reasoningTokens?: number;
  /** Set when the query failed; the record still counts, as an error (unless cancelled). */
  error?: string;
  /** The failure was the server refusing or dropping the request for load (429, 503, token timeouts): counted within errors, shown apart. */
  overload?: boolean;
  timedOut?: boolean;
  /** Set when the request was cancelled because the run ended (quit or signal): its own outcome, not an error. */
  cancelled?: boolean;
}
