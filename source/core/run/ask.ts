import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Engine, GenerateResult, ModelSlot } from '../engines/engine.js';
import type { QueryRecord } from '../query.js';
import { delay, type Timers } from '../scheduler/timers.js';
import type { RunPrompt } from './options.js';

/** One question on its way to one model: everything the record needs besides the answer. */
export interface AskContext {
  seq: number;
  questionId: string;
  question: string;
  gold: string[];
  answerable: boolean;
  policy: string;
  segment: number;
  warmup: boolean;
  /** When the question was due (see QueryRecord.tScheduled). */
  tScheduled: number;
  /** Send no earlier than this (open loop: the scheduled arrival; prompts are ready ahead of it). */
  sendAt?: number;
  /** Time the prompt took to build (preprocessing, done ahead of the send). */
  prepMs: number;
  prompt: RunPrompt;
  maxNewTokens: number;
}

export interface AskDeps {
  clock: Clock;
  timers: Timers;
  extractAnswer(raw: string): string;
  scoreAnswer(prediction: string, gold: string[]): { em: number; f1: number };
  onFirstToken(t: number, id: string, model: ModelSlot): void;
  /** Registers a canceller for quit; returns its removal. */
  onCancellable(cancel: () => void): () => void;
}

type Outcome = { kind: 'result'; result: GenerateResult } | { kind: 'error'; error: unknown } | { kind: 'timeout' } | { kind: 'cancelled' };

/**
 * Sends one question to one engine and turns whatever happens into exactly one
 * QueryRecord: an answer (scored), an engine error, a timeout (the request is aborted
 * and its record written at once, whatever the engine does later) or a cancellation at
 * quit. It never throws.
 *
 * Times come from where they happen: the send, tokens and the answer's end from the engine
 * (the measuring plane's client thread, or the model's worker), preprocessing and
 * postprocessing as measured durations placed before the send and after the end. So a busy
 * main thread (rendering, folding metrics, writing the log) moves no figure; it can only
 * send late, which the record shows as send lag against its schedule.
 */
export async function askModel(engine: Engine, model: ModelSlot, context: AskContext, timeoutMs: number, deps: AskDeps): Promise<QueryRecord> {
  const id = `${context.seq}:${model}`;
  const abort = new AbortController();
  let settled = false;
  let sawFirstToken = false;
  /** When the request went to an engine that does not schedule its own sends. */
  let tCalled = deps.clock.now();
  const hold = context.sendAt === undefined ? 0 : Math.max(0, context.sendAt - tCalled);
  const outcome = await new Promise<Outcome>((resolve) => {
    const settle = (value: Outcome) => {
      if (settled) return;
      settled = true;
      deps.timers.clearTimeout(timer);
      removeCancel();
      resolve(value);
    };
    const timer = deps.timers.setTimeout(() => settle({ kind: 'timeout' }), timeoutMs + hold);
    const removeCancel = deps.onCancellable(() => settle({ kind: 'cancelled' }));
    const request = {
      id,
      messages: context.prompt.messages,
      promptIds: context.prompt.promptIds,
      promptText: context.prompt.promptText,
      maxNewTokens: context.maxNewTokens,
      signal: abort.signal,
      ...(context.sendAt !== undefined ? { sendAt: context.sendAt } : {}),
    };
    const onToken = (token: { t: number }) => {
      if (sawFirstToken || settled) return;
      sawFirstToken = true;
      deps.onFirstToken(token.t, id, model);
    };
    const send = async (): Promise<GenerateResult> => {
      // An engine without its own scheduler is held here until the question is due.
      if (!engine.sendsOnSchedule && hold > 0) await delay(deps.timers, hold, abort.signal);
      tCalled = deps.clock.now();
      return engine.generate(request, onToken);
    };
    let pending: Promise<GenerateResult>;
    try {
      pending = send();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => settle({ kind: 'result', result }),
      (error: unknown) => settle({ kind: 'error', error }),
    );
  });
  if (outcome.kind !== 'result') abort.abort();

  // Records are built once and filled in (no spreads): this is the per-query hot path.
  const recordAt = (tDone: number, tEnqueued = tCalled): QueryRecord => ({
    id,
    seq: context.seq,
    questionId: context.questionId,
    question: context.question,
    model,
    policy: context.policy,
    segment: context.segment,
    warmup: context.warmup,
    tScheduled: context.tScheduled,
    tIssued: tEnqueued - context.prepMs,
    tEnqueued,
    tDone,
    promptTokens: context.prompt.promptTokens,
    contextTrimmed: context.prompt.contextTrimmed,
    outputTokens: 0,
    gold: context.gold,
    answerable: context.answerable,
  });
  const failed = (record: QueryRecord, error: string): QueryRecord => {
    record.error = error;
    return record;
  };
  if (outcome.kind === 'timeout') {
    const record = failed(recordAt(deps.clock.now()), `timed out after ${timeoutMs} ms`);
    record.timedOut = true;
    return record;
  }
  if (outcome.kind === 'cancelled') {
    const record = failed(recordAt(deps.clock.now()), 'cancelled at the end of the run');
    record.cancelled = true;
    return record;
  }
  if (outcome.kind === 'error') {
    const record = failed(recordAt(deps.clock.now()), errorMessage(outcome.error) || 'engine error');
    // The server refused for load (429, 503, a token timeout): counted apart from faults.
    if ((outcome.error as { overload?: unknown } | undefined)?.overload === true) record.overload = true;
    return record;
  }

  const result = outcome.result;
  const withTiming = (record: QueryRecord): QueryRecord => {
    record.promptTokens = result.promptTokens || context.prompt.promptTokens;
    record.outputTokens = result.outputTokens;
    record.tStart = result.tStart;
    record.tFirstToken = result.tFirstToken;
    record.tEnd = result.tEnd;
    record.tokenTimes = result.tokenTimes;
    if (result.chunkTokens) record.chunkTokens = result.chunkTokens;
    if (result.tFirstAnswerToken !== undefined) record.tFirstAnswerToken = result.tFirstAnswerToken;
    if (result.reasoningTokens !== undefined) record.reasoningTokens = result.reasoningTokens;
    record.rawOutput = result.text;
    record.finishReason = result.finishReason;
    if (result.batchSize !== undefined) record.batchSize = result.batchSize;
    if (result.meanLogProb !== undefined) record.meanLogProb = result.meanLogProb;
    return record;
  };
  const tSent = result.tSent ?? tCalled;
  if (result.finishReason === 'abort' || result.finishReason === 'error') {
    return failed(withTiming(recordAt(deps.clock.now(), tSent)), `engine ended the request (${result.finishReason})`);
  }
  // Postprocessing: answer extraction and scoring, its measured cost placed after the answer's end.
  const tPost = deps.clock.now();
  const prediction = deps.extractAnswer(result.text);
  const score = deps.scoreAnswer(prediction, context.gold);
  const record = withTiming(recordAt(result.tEnd + (deps.clock.now() - tPost), tSent));
  record.prediction = prediction;
  record.em = score.em;
  record.f1 = score.f1;
  return record;
}
