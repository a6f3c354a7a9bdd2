import type { FinishReason, GenerateResult } from '../engines/engine.js';

/** OpenAI response objects, built in one place so that streaming and not stay consistent. */

export interface ResponseContext {
  id: string;
  created: number;
  model: string;
  kind: 'chat' | 'completions';
}

export function openAIFinish(reason: FinishReason): 'stop' | 'length' {
  return reason === 'length' ? 'length' : 'stop';
}

export function usageOf(result: Pick<GenerateResult, 'promptTokens' | 'outputTokens'>) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.outputTokens, total_tokens: result.promptTokens + result.outputTokens };
}

function head(ctx: ResponseContext, object: string) {
  return { id: ctx.id, object, created: ctx.created, model: ctx.model };
}

/** One streamed chunk: `text` (null = none), `role` on the first chat chunk, `finish` on the last. */
export function chunk(ctx: ResponseContext, text: string | null, finish: 'stop' | 'length' | null, role = false) {
  if (ctx.kind === 'chat') {
    const delta = { ...(role ? { role: 'assistant' } : {}), ...(text !== null ? { content: text } : {}) };
    return { ...head(ctx, 'chat.completion.chunk'), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  }
  return { ...head(ctx, 'text_completion'), choices: [{ index: 0, text: text ?? '', logprobs: null, finish_reason: finish }] };
}

export function usageChunk(ctx: ResponseContext, result: GenerateResult) {
  return { ...head(ctx, ctx.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion'), choices: [], usage: usageOf(result) };
}

export function completion(ctx: ResponseContext, result: GenerateResult) {
  const finish_reason = openAIFinish(result.finishReason);
  if (ctx.kind === 'chat') {
    return {
      ...head(ctx, 'chat.completion'),
      choices: [{ index: 0, message: { role: 'assistant', content: result.text, refusal: null }, logprobs: null, finish_reason }],
      usage: usageOf(result),
    };
  }
  return { ...head(ctx, 'text_completion'), choices: [{ index: 0, text: result.text, logprobs: null, finish_reason }], usage: usageOf(result) };
}

export type ErrorType = 'invalid_request_error' | 'not_found_error' | 'server_error' | 'rate_limit_error';

export function errorBody(message: string, type: ErrorType, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}
