/**
 * Pure reading of one OpenAI streaming chunk (the JSON in an SSE `data:` line), for
 * both `chat.completion.chunk` (choices[0].delta.content) and `text_completion`
 * (choices[0].text), with what the server families add to it: reasoning text
 * (`reasoning_content` from vLLM, SGLang, llama.cpp and MindIE; `reasoning` from newer
 * vLLM and Ollama), per-chunk usage (vLLM's continuous_usage_stats) and in-stream errors
 * in every shape they use. Separate from I/O so that it can be tested on captured frames.
 */

export type OpenAIApi = 'chat' | 'completions';

export interface ChunkInfo {
  /** Answer text of this delta ('' for role-only, finish-only and usage-only chunks). */
  content: string;
  /** Reasoning text of this delta, when the server separates it from the answer. */
  reasoning?: string;
  /** Set when usage rides on a choice chunk (per-chunk usage), unlike the usage-only last chunk (`choices: []`). */
  hasChoice?: boolean;
  finishReason?: string;
  usage?: { promptTokens?: number; completionTokens?: number; reasoningTokens?: number };
}

/** A stream that does not follow the OpenAI schema; the message says how. */
export class StreamFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamFormatError';
  }
}

/** The server reported a failure inside the stream; the message is the server's own. */
export class StreamServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamServerError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Longest server message kept: long enough for TGI's CUDA errors and vLLM's validation text. */
export const MESSAGE_LIMIT = 2000;

export function clip(text: string, limit = MESSAGE_LIMIT): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}...` : flat;
}

function preview(text: string): string {
  return clip(text, 200);
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * The message of an error object in any family's shape: OpenAI/vLLM/SGLang/Ollama
 * `{error:{message}}`, llama.cpp's bare `{code,message,type}`, TGI `{error:"...",error_type}`,
 * MindIE `{error:"..."}` / `{errorMessage}` / `{message}`. Undefined when none is found.
 */
export function errorMessageOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (!isObject(value)) return undefined;
  for (const key of ['error', 'message', 'errorMessage', 'error_msg', 'detail', 'msg']) {
    const found = errorMessageOf(value[key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A short label for the kind of error an object names (TGI error_type, OpenAI type/code), when given. */
export function errorTypeOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  for (const key of ['error_type', 'type', 'code', 'errorCode']) {
    const found = value[key];
    if (typeof found === 'string' && found !== '' && found !== 'error') return found;
  }
  return isObject(value.error) ? errorTypeOf(value.error) : undefined;
}

/** Reads the text of a delta field that must be a string when present. */
function textField(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new StreamFormatError(`unexpected chunk schema: ${name} is ${typeof value}, expected a string`);
  return value;
}

export function readChunk(data: string, api: OpenAIApi): ChunkInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new StreamFormatError(`malformed SSE: data is not JSON: ${preview(data)}`);
  }
  if (!isObject(parsed)) throw new StreamFormatError(`malformed SSE: data is not a JSON object: ${preview(data)}`);
  if (parsed.error !== undefined && parsed.error !== null) {
    const message = errorMessageOf(parsed.error) ?? JSON.stringify(parsed.error);
    throw new StreamServerError(`server error in stream: ${clip(message)}`);
  }
  // SGLang and older vLLM may send the ErrorResponse itself: { object: "error", message, type, code }.
  if (parsed.object === 'error') throw new StreamServerError(`server error in stream: ${clip(errorMessageOf(parsed) ?? data)}`);
  const info: ChunkInfo = { content: '' };
  if (isObject(parsed.usage)) {
    info.usage = { promptTokens: count(parsed.usage.prompt_tokens), completionTokens: count(parsed.usage.completion_tokens) };
    const details = parsed.usage.completion_tokens_details;
    const reasoningTokens = isObject(details) ? count(details.reasoning_tokens) : undefined;
    if (reasoningTokens !== undefined) info.usage.reasoningTokens = reasoningTokens;
  }
  if (!Array.isArray(parsed.choices)) {
    if (info.usage) return info;
    throw new StreamFormatError(`unexpected chunk schema: no "choices" array in ${preview(data)}`);
  }
  const choice: unknown = parsed.choices[0];
  if (choice === undefined) return info; // the usage chunk has choices: []
  if (!isObject(choice)) throw new StreamFormatError(`unexpected chunk schema: choices[0] is not an object in ${preview(data)}`);
  if (api === 'chat' && !isObject(choice.delta) && choice.finish_reason == null) {
    throw new StreamFormatError(`unexpected chunk schema: choices[0].delta missing in ${preview(data)}`);
  }
  const delta = isObject(choice.delta) ? choice.delta : undefined;
  const content = api === 'chat' ? textField(delta?.content, 'content') : textField(choice.text, 'content');
  info.content = content ?? '';
  const reasoning = textField(delta?.reasoning_content, 'reasoning_content') ?? textField(delta?.reasoning, 'reasoning');
  if (reasoning) info.reasoning = reasoning;
  if (info.usage) info.hasChoice = true;
  if (typeof choice.finish_reason === 'string') info.finishReason = choice.finish_reason;
  return info;
}
