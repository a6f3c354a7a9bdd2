/**
 * Pure reading of one OpenAI streaming chunk (the JSON in an SSE `data:` line), for
 * both `chat.completion.chunk` (choices[0].delta.content) and `text_completion`
 * (choices[0].text). Separate from I/O so that it can be tested on captured frames.
 */

export type OpenAIApi = 'chat' | 'completions';

export interface ChunkInfo {
  /** Text of this delta ('' for role-only, finish-only and usage-only chunks). */
  content: string;
  finishReason?: string;
  usage?: { promptTokens?: number; completionTokens?: number };
}

/** A stream that does not follow the OpenAI schema; the message says how. */
export class StreamFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamFormatError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 80)}...` : line;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

export function readChunk(data: string, api: OpenAIApi): ChunkInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new StreamFormatError(`malformed SSE: data is not JSON: ${preview(data)}`);
  }
  if (!isObject(parsed)) throw new StreamFormatError(`malformed SSE: data is not a JSON object: ${preview(data)}`);
  // vLLM and llama.cpp report failures inside the stream as { error: { message } }.
  if (parsed.error !== undefined) {
    const message = isObject(parsed.error) && typeof parsed.error.message === 'string' ? parsed.error.message : JSON.stringify(parsed.error);
    throw new Error(`server error in stream: ${preview(message)}`);
  }
  const info: ChunkInfo = { content: '' };
  if (isObject(parsed.usage)) {
    info.usage = { promptTokens: count(parsed.usage.prompt_tokens), completionTokens: count(parsed.usage.completion_tokens) };
  }
  if (!Array.isArray(parsed.choices)) {
    if (info.usage) return info;
    throw new StreamFormatError(`unexpected chunk schema: no "choices" array in ${preview(data)}`);
  }
  const choice: unknown = parsed.choices[0];
  if (choice === undefined) return info; // the usage chunk has choices: []
  if (!isObject(choice)) throw new StreamFormatError(`unexpected chunk schema: choices[0] is not an object in ${preview(data)}`);
  const content = api === 'chat' ? (isObject(choice.delta) ? choice.delta.content : undefined) : choice.text;
  if (api === 'chat' && !isObject(choice.delta) && choice.finish_reason == null) {
    throw new StreamFormatError(`unexpected chunk schema: choices[0].delta missing in ${preview(data)}`);
  }
  if (content !== undefined && content !== null && typeof content !== 'string') {
    throw new StreamFormatError(`unexpected chunk schema: content is ${typeof content}, expected a string`);
  }
  info.content = content ?? '';
  if (typeof choice.finish_reason === 'string') info.finishReason = choice.finish_reason;
  return info;
}
