import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { FinishReason } from '../engine.js';
import { readChunk, StreamFormatError, type OpenAIApi } from './chunk.js';

/**
 * Pure decoding of one streamed OpenAI-compatible answer: text arrives in pieces, each with
 * the time its bytes arrived (stamped by the transport before any parsing), and the decoder
 * turns them into timed tokens and one outcome. No I/O, no clock: the transport (the
 * measuring plane's client worker) owns both, so this can be tested on byte-exact captures.
 */

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
}

export interface DecodedAnswer {
  text: string;
  /** Arrival time of every content-bearing chunk, in order. */
  tokenTimes: number[];
  /** Tokens per tokenTimes entry when the server reported per-chunk usage (absent: one each). */
  chunkTokens?: number[];
  tFirstToken?: number;
  usage?: Usage;
}

export type StreamOutcome =
  | ({ kind: 'done'; finishReason: FinishReason } & DecodedAnswer)
  /** The stream was cut or broke its protocol; `message` says how, in the server's own words where it gave some. */
  | ({ kind: 'failed'; message: string } & DecodedAnswer);

export interface StreamDecoderOptions {
  api: OpenAIApi;
  /** A server that ignores max_tokens must not stream forever: the decoder stops one delta past the cap. */
  maxNewTokens: number;
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

export function createStreamDecoder(options: StreamDecoderOptions): StreamDecoder {
  const answer: DecodedAnswer = { text: '', tokenTimes: [] };
  let done = false;
  let capped = false;
  let events = 0;
  let finishReason: string | undefined;
  let failure: Error | undefined;
  let now = 0;

  const parser: EventSourceParser = createParser({
    onEvent(event) {
      if (done || failure || capped) return;
      events++;
      if (event.data === '[DONE]') {
        done = true;
        return;
      }
      let chunk;
      try {
        chunk = readChunk(event.data, options.api);
      } catch (error) {
        failure = error as Error;
        return;
      }
      if (chunk.usage) answer.usage = chunk.usage;
      if (chunk.finishReason) finishReason = chunk.finishReason;
      if (chunk.content === '') return;
      if (answer.tokenTimes.length >= options.maxNewTokens) {
        capped = true;
        return;
      }
      answer.tFirstToken ??= now;
      answer.tokenTimes.push(now);
      answer.text += chunk.content;
    },
    onError(error) {
      failure ??= new StreamFormatError(`malformed SSE: ${error.message}`);
    },
  });

  return {
    feed(text, t) {
      now = t;
      parser.feed(text);
    },
    get complete() {
      return done || capped || failure !== undefined;
    },
    get tokens() {
      return answer.tokenTimes.length;
    },
    finish(): StreamOutcome {
      if (failure) return { kind: 'failed', message: failure.message, ...answer };
      if (capped) return { kind: 'done', finishReason: 'length', ...answer, usage: undefined };
      if (events === 0) return { kind: 'failed', message: 'empty stream: the server sent no events', ...answer };
      if (!done && finishReason === undefined) {
        return { kind: 'failed', message: `stream cut mid-answer after ${answer.tokenTimes.length} tokens (no finish_reason, no [DONE])`, ...answer };
      }
      return { kind: 'done', finishReason: finishReason === 'length' ? 'length' : 'stop', ...answer };
    },
  };
}
