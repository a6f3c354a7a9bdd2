import { createParser, type EventSourceParser, type ParseError } from 'eventsource-parser';
import type { FinishReason } from '../engine.js';
import { clip, errorMessageOf, readChunk, StreamServerError, type OpenAIApi } from './chunk.js';
import { dialectFor, isOverloadText, type DialectName } from './dialects/index.js';
import { deltasAreCumulative, resolveDeltas } from './deltas.js';
import { splitInlineThinking, type TimedPiece } from './thinking.js';

/**
 * Pure decoding of one streamed OpenAI-compatible answer: text arrives in pieces, each with
 * the time its bytes arrived (stamped by the transport before any parsing), and the decoder
 * turns them into timed tokens and one outcome. No I/O, no clock: the transport (the
 * measuring plane's client worker) owns both, so this can be tested on byte-exact captures.
 * Every server family's shapes are read (see dialects/): errors in any framing end as a
 * failed outcome in the server's own words, with overload told apart from faults.
 */

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
}

export interface DecodedAnswer {
  /** The answer text (reasoning excluded). */
  text: string;
  /** Arrival time of every token-carrying chunk (reasoning and answer), in order. */
  tokenTimes: number[];
  /** Tokens per tokenTimes entry when the server reported per-chunk usage (absent: one each). */
  chunkTokens?: number[];
  /** First token of any kind (reasoning included). */
  tFirstToken?: number;
  /** First token of the answer itself (after any reasoning); equals tFirstToken without reasoning. */
  tFirstAnswerToken?: number;
  /** Reasoning tokens (the server's count when it gives one), when the model reasoned. */
  reasoningTokens?: number;
  /** Reasoning text, when the model reasoned (kept out of scoring). */
  reasoningText?: string;
  usage?: Usage;
}

/**
 * Why a stream failed: the server refused or dropped it for load (`overload`), the server
 * reported a fault (`server`), the bytes broke the protocol or stopped early (`protocol`),
 * or the token budget ran out before any answer (`truncated`: still reasoning).
 */
export type FailureCategory = 'overload' | 'server' | 'protocol' | 'truncated';

export type StreamOutcome =
  /** `finishReason` is the server's own (stop, length, content_filter, tool_calls, abort, ...). */
  | ({ kind: 'done'; finishReason: FinishReason } & DecodedAnswer)
  /** The stream was cut or broke its protocol; `message` says how, in the server's own words where it gave some. */
  | ({ kind: 'failed'; message: string; category: FailureCategory } & DecodedAnswer);

export interface StreamDecoderOptions {
  api: OpenAIApi;
  /** A server that ignores max_tokens must not stream forever: the decoder stops one delta past the cap. */
  maxNewTokens: number;
  /** The server family (default 'auto': every family's shapes). */
  dialect?: DialectName;
  /** Each delta repeats the text so far (MindIE fullTextEnabled): true, false or 'auto' (detected); default: the dialect's. */
  cumulative?: boolean | 'auto';
}

export interface StreamDecoder {
  /** Decoded text of bytes that arrived at time `t`. */
  feed(text: string, t: number): void;
  /** True once reading can stop: [DONE], an error in the stream, or the token cap. */
  readonly complete: boolean;
  /** Tokens so far (for the first-token notice and progress). */
  readonly tokens: number;
  /** The outcome once the body ended (or reading stopped because `complete`). */
  finish(): StreamOutcome;
}

interface Failure {
  message: string;
  category: FailureCategory;
}

export function createStreamDecoder(options: StreamDecoderOptions): StreamDecoder {
  const dialect = dialectFor(options.dialect);
  const cumulative = options.cumulative ?? dialect.cumulative;
  const tokenTimes: number[] = [];
  const chunkTokens: number[] = [];
  const answerPieces: string[] = [];
  const answerTimed: TimedPiece[] = [];
  const reasoningPieces: string[] = [];
  let tokens = 0;
  let reasoningChunkTokens = 0;
  let tFirstAnswerToken: number | undefined;
  let lastWasReasoning = false;
  let usage: Usage | undefined;
  let serverReasoningTokens: number | undefined;
  let done = false;
  let capped = false;
  let events = 0;
  let finishReason: string | undefined;
  let failure: Failure | undefined;
  let now = 0;
  let outcome: StreamOutcome | undefined;

  const serverFailure = (text: string): Failure => ({ message: text, category: isOverloadText(dialect, text) ? 'overload' : 'server' });

  /** An error payload in an SSE `error:` field or an `event: error` frame, JSON or plain text. */
  const errorPayload = (payload: string): Failure => {
    let message = payload;
    try {
      message = errorMessageOf(JSON.parse(payload)) ?? payload;
    } catch {
      // plain text: the server's words as they are
    }
    return serverFailure(`server error in stream: ${clip(message)}`);
  };

  const parser: EventSourceParser = createParser({
    onEvent(event) {
      if (done || failure || capped) return;
      events++;
      if (event.data === '[DONE]') {
        done = true;
        return;
      }
      if (event.event === 'error') {
        failure = errorPayload(event.data);
        return;
      }
      // Data that is not JSON at all is a server (or proxy) writing its words into the stream.
      if (event.data.trim() === '') return;
      if (!/^\s*[[{]/.test(event.data)) {
        failure = errorPayload(event.data);
        return;
      }
      let chunk;
      try {
        chunk = readChunk(event.data, options.api);
      } catch (error) {
        const message = (error as Error).message;
        failure = error instanceof StreamServerError ? serverFailure(message) : { message, category: 'protocol' };
        return;
      }
      if (chunk.usage) {
        usage = { ...usage, ...defined({ promptTokens: chunk.usage.promptTokens, completionTokens: chunk.usage.completionTokens }) };
        serverReasoningTokens = chunk.usage.reasoningTokens ?? serverReasoningTokens;
      }
      if (chunk.finishReason) finishReason = chunk.finishReason;
      const reasoning = chunk.reasoning ?? '';
      // Per-chunk usage (a choice chunk carrying usage) says how many tokens this chunk holds,
      // even when its text is empty (a partial UTF-8 character, a skipped special token).
      const reported = chunk.hasChoice ? chunk.usage?.completionTokens : undefined;
      let carried = reported !== undefined ? Math.max(0, reported - tokens) : 0;
      if (carried === 0 && (chunk.content !== '' || reasoning !== '')) carried = 1;
      if (carried === 0) return;
      if (tokens >= options.maxNewTokens) {
        capped = true;
        return;
      }
      tokenTimes.push(now);
      chunkTokens.push(carried);
      tokens += carried;
      if (reasoning !== '') reasoningPieces.push(reasoning);
      if (chunk.content !== '') {
        answerPieces.push(chunk.content);
        answerTimed.push({ text: chunk.content, t: now, tokens: carried });
        tFirstAnswerToken ??= now;
        lastWasReasoning = false;
      } else if (reasoning !== '') {
        reasoningChunkTokens += carried;
        lastWasReasoning = true;
      }
    },
    onError(error) {
      if (failure || done || capped) return;
      failure = parseFailure(error as ParseError);
    },
  });

  function parseFailure(error: ParseError): Failure {
    if (error.type === 'unknown-field') {
      // Older llama.cpp: `error: {"code":500,"message":"...","type":"server_error"}`.
      if (error.field === 'error') return errorPayload(error.value ?? '');
      // MindIE and others write plain text or bare JSON into the body with no framing.
      const line = error.line ?? `${error.field ?? ''}${error.value ? `: ${error.value}` : ''}`;
      return errorPayload(line);
    }
    return { message: `malformed SSE: ${error.message}`, category: 'protocol' };
  }

  /** The answer, and whether the model stopped while still reasoning (no answer at all). */
  function answer(): { decoded: DecodedAnswer; stillReasoning: boolean } {
    let text = resolveDeltas(answerPieces, cumulative);
    let reasoningText = resolveDeltas(reasoningPieces, cumulative);
    let reasoningCount = reasoningChunkTokens;
    let firstAnswer = tFirstAnswerToken;
    let stillReasoning = answerPieces.length === 0 && lastWasReasoning;
    const inline = splitInlineThinking(text, answerTimed, deltasAreCumulative(answerPieces, cumulative));
    if (inline) {
      text = inline.answer;
      reasoningText = reasoningText === '' ? inline.reasoning : `${reasoningText} ${inline.reasoning}`;
      reasoningCount += inline.reasoningTokens;
      firstAnswer = inline.tFirstAnswer;
      stillReasoning = !inline.closed;
    }
    const decoded: DecodedAnswer = { text, tokenTimes };
    if (chunkTokens.some((n) => n !== 1)) decoded.chunkTokens = chunkTokens;
    if (tokenTimes.length > 0) decoded.tFirstToken = tokenTimes[0];
    if (firstAnswer !== undefined) decoded.tFirstAnswerToken = firstAnswer;
    if (reasoningPieces.length > 0 || inline || (serverReasoningTokens ?? 0) > 0) {
      decoded.reasoningTokens = serverReasoningTokens ?? reasoningCount;
      decoded.reasoningText = reasoningText;
    }
    if (usage) decoded.usage = usage;
    return { decoded, stillReasoning };
  }

  function decide(): StreamOutcome {
    const { decoded, stillReasoning } = answer();
    const failed = (message: string, category: FailureCategory): StreamOutcome => ({ kind: 'failed', message, category, ...decoded });
    if (failure) return failed(failure.message, failure.category);
    if (events === 0) return failed('empty stream: the server sent no events', 'protocol');
    if (!done && !capped && finishReason === undefined) {
      return failed(`stream cut mid-answer after ${tokens} tokens (no finish_reason, no [DONE])`, 'protocol');
    }
    // A model that never left its reasoning gave no answer: not an abstention.
    if (stillReasoning) {
      const why = capped ? 'the token cap' : finishReason === 'length' ? 'max_tokens' : `finish_reason ${finishReason ?? 'none'}`;
      return failed(`answer cut while still reasoning (${decoded.reasoningTokens} reasoning tokens, no answer; ended by ${why})`, 'truncated');
    }
    if (capped) return { kind: 'done', finishReason: 'length', ...decoded, usage: undefined };
    return { kind: 'done', finishReason: finishReason ?? 'stop', ...decoded };
  }

  return {
    feed(text, t) {
      now = t;
      parser.feed(text);
    },
    get complete() {
      return done || capped || failure !== undefined;
    },
    get tokens() {
      return tokens;
    },
    finish(): StreamOutcome {
      if (outcome) return outcome;
      // The body ended: a last line or frame with no newline after it still counts (a server's last words).
      if (!done && !capped && !failure) {
        parser.feed('\n\n');
        // A frame the body ended in the middle of is a cut stream, not a malformed one.
        if ((failure as Failure | undefined)?.category === 'protocol') failure = { message: `stream cut mid-answer after ${tokens} tokens (the last frame unfinished)`, category: 'protocol' };
      }
      outcome = decide();
      return outcome;
    },
  };
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
