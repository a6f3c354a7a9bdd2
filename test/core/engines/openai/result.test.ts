import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../../../source/core/engines/engine.js';
import { RequestFailure, toGenerateResult } from '../../../../source/core/engines/openai/result.js';
import type { JobResult } from '../../../../source/core/plane/protocol.js';

const request: GenerateRequest = { id: '3:A', messages: [], promptIds: [1, 2, 3, 4], promptText: '', maxNewTokens: 16 };
const context = { where: 'model "A" (http://h/v1/chat/completions)', timeoutMs: 500 };
const answer = { text: 'Paris', tokenTimes: [130, 140, 152], tFirstToken: 130 };

describe('what the measuring plane saw, as a GenerateResult', () => {
  it('takes the send, token and end times from the plane and the counts from the server usage', () => {
    const job: JobResult = { id: '3:A', tSent: 100, tEnd: 160, end: { kind: 'stream', outcome: { kind: 'done', finishReason: 'stop', ...answer, usage: { promptTokens: 42, completionTokens: 3 } } } };
    expect(toGenerateResult(job, request, context)).toEqual({
      text: 'Paris',
      tokenIds: [],
      promptTokens: 42,
      outputTokens: 3,
      tSent: 100,
      tStart: 100,
      tFirstToken: 130,
      tEnd: 152, // the last token, not the end of the read
      tokenTimes: [130, 140, 152],
      finishReason: 'stop',
    });
  });

  it('keeps reasoning figures and per-chunk token counts', () => {
    const outcome = { kind: 'done' as const, finishReason: 'stop' as const, ...answer, chunkTokens: [1, 2, 1], tFirstAnswerToken: 140, reasoningTokens: 1 };
    const result = toGenerateResult({ id: '3:A', tSent: 100, tEnd: 160, end: { kind: 'stream', outcome } }, request, context);
    expect(result).toMatchObject({ chunkTokens: [1, 2, 1], tFirstAnswerToken: 140, reasoningTokens: 1, outputTokens: 3, promptTokens: 4 });
  });

  it('fails with the server\'s words, telling overload from faults', () => {
    const http = (status: number, body: string): JobResult => ({ id: '3:A', tSent: 100, tEnd: 101, end: { kind: 'http', status, contentType: 'application/json', body } });
    const overload = (() => {
      try {
        toGenerateResult(http(503, '{"error":{"message":"Service is overloaded"}}'), request, context);
      } catch (error) {
        return error as RequestFailure;
      }
    })()!;
    expect(overload).toBeInstanceOf(RequestFailure);
    expect(overload.overload).toBe(true);
    expect(overload.message).toBe('model "A" (http://h/v1/chat/completions): HTTP 503: Service is overloaded');
    expect(() => toGenerateResult(http(400, '{"error":{"message":"bad prompt"}}'), request, context)).toThrow(expect.objectContaining({ overload: false }));
  });

  it('names a stream cut by the connection after the tokens it had, and a timeout by whether anything came', () => {
    const cut: JobResult = { id: '3:A', tSent: 100, tEnd: 150, end: { kind: 'stream', cut: 'ECONNRESET (socket hang up)', outcome: { kind: 'failed', category: 'protocol', message: 'stream cut mid-answer after 2 tokens (no finish_reason, no [DONE])', text: 'Pa', tokenTimes: [130, 140] } } };
    expect(() => toGenerateResult(cut, request, context)).toThrow('model "A" (http://h/v1/chat/completions): stream cut mid-answer after 2 tokens: ECONNRESET (socket hang up)');
    expect(() => toGenerateResult({ id: '3:A', tSent: 100, tEnd: 600, end: { kind: 'timeout', afterTokens: 0 } }, request, context)).toThrow('no answer within 500 ms');
    expect(() => toGenerateResult({ id: '3:A', tSent: 100, tEnd: 600, end: { kind: 'timeout', afterTokens: 4 } }, request, context)).toThrow('answer not finished within 500 ms');
  });

  it('turns an abort into an empty aborted answer timed by the plane', () => {
    expect(toGenerateResult({ id: '3:A', tSent: 100, tEnd: 120, end: { kind: 'aborted' } }, request, context)).toMatchObject({ finishReason: 'abort', tSent: 100, tEnd: 120, outputTokens: 0 });
  });
});
