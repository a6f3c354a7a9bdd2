import type { JobResult } from '../../plane/protocol.js';
import type { GenerateRequest, GenerateResult } from '../engine.js';
import type { StreamOutcome } from './decoder.js';
import { httpFailure } from './http.js';

/** A request the server (or the connection) failed; the message is what the record shows. */
export class RequestFailure extends Error {
  constructor(
    message: string,
    readonly overload = false,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

export interface ResultContext {
  where: string;
  timeoutMs: number;
  /** Counts output tokens when the server reports no usage (our tokenizer). */
  countTokens?: (text: string) => number;
}

/**
 * Turns what the measuring plane saw of one request into a GenerateResult, or throws a
 * RequestFailure whose message names the model, the URL and what went wrong.
 */
export function toGenerateResult(job: JobResult, request: GenerateRequest, context: ResultContext): GenerateResult {
  const { end } = job;
  const fail = (message: string, overload = false): never => {
    throw new RequestFailure(`${context.where}: ${message}`, overload);
  };
  switch (end.kind) {
    case 'aborted':
      return { ...emptyAnswer(request, job), finishReason: 'abort' };
    case 'timeout':
      return fail(end.afterTokens === 0 ? `no answer within ${context.timeoutMs} ms` : `answer not finished within ${context.timeoutMs} ms`);
    case 'transport':
      return fail(`request failed: ${end.code ? `${end.code} (${end.message})` : end.message}`);
    case 'http': {
      if (end.status >= 200 && end.status < 300) {
        // A server that answers a stream request with a JSON error (MindIE's token timeout) still says why, and whether it was load.
        const said = httpFailure(end.status, end.contentType, end.body);
        return fail(`expected an SSE stream (text/event-stream), got ${end.contentType}: ${said.message.replace(/^HTTP \d+: /, '')}`, said.overload);
      }
      const failure = httpFailure(end.status, end.contentType, end.body);
      return fail(failure.message, failure.overload);
    }
    case 'stream': {
      const outcome = end.outcome;
      if (outcome.kind === 'failed') {
        const detail = end.cut && /stream cut|empty stream/.test(outcome.message) ? `stream cut mid-answer after ${outcome.tokenTimes.length} tokens: ${end.cut}` : outcome.message;
        return fail(detail, isOverload(outcome));
      }
      return answered(outcome, request, job, context);
    }
  }
}

function isOverload(outcome: StreamOutcome): boolean {
  return outcome.kind === 'failed' && outcome.category === 'overload';
}

function answered(outcome: Extract<StreamOutcome, { kind: 'done' }>, request: GenerateRequest, job: JobResult, context: ResultContext): GenerateResult {
  const chunks = outcome.tokenTimes.length;
  const counted = outcome.usage?.completionTokens ?? (context.countTokens && chunks > 0 ? context.countTokens(outcome.text) : chunks);
  return {
    text: outcome.text,
    tokenIds: [],
    promptTokens: outcome.usage?.promptTokens ?? request.promptIds.length,
    outputTokens: counted,
    tSent: job.tSent,
    tStart: job.tSent,
    ...(outcome.tFirstToken !== undefined ? { tFirstToken: outcome.tFirstToken } : {}),
    // The last token's arrival ends the answer (TPOT runs first to last token).
    tEnd: chunks > 0 ? outcome.tokenTimes[chunks - 1]! : job.tEnd,
    tokenTimes: outcome.tokenTimes,
    ...(outcome.chunkTokens ? { chunkTokens: outcome.chunkTokens } : {}),
    ...(outcome.tFirstAnswerToken !== undefined ? { tFirstAnswerToken: outcome.tFirstAnswerToken } : {}),
    ...(outcome.reasoningTokens !== undefined ? { reasoningTokens: outcome.reasoningTokens } : {}),
    finishReason: outcome.finishReason,
  };
}

function emptyAnswer(request: GenerateRequest, job: JobResult): Omit<GenerateResult, 'finishReason'> {
  return { text: '', tokenIds: [], promptTokens: request.promptIds.length, outputTokens: 0, tSent: job.tSent, tStart: job.tSent, tEnd: job.tEnd, tokenTimes: [] };
}
