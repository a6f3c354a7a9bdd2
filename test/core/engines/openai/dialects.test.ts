import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createStreamDecoder, type StreamDecoderOptions, type StreamOutcome } from '../../../../source/core/engines/openai/decoder.js';
import { looksCumulative } from '../../../../source/core/engines/openai/deltas.js';
import { splitInlineThinking } from '../../../../source/core/engines/openai/thinking.js';
import { DIALECT_NAMES } from '../../../../source/core/engines/openai/dialects/index.js';
import { streamJob } from '../../../../source/core/engines/openai/request.js';
import { modelSchema } from '../../../../source/core/profile/schema.js';

// Byte-exact streams of each server family (test/fixtures/streams/README.md says where each shape comes from).
const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/streams/${name}`, import.meta.url), 'utf8');

/** Reads as the transport would: read i (one SSE frame, or the unframed tail) arrives at t = 1000 + 10 i. */
function replay(name: string, options: Partial<StreamDecoderOptions> = {}): StreamOutcome {
  const decoder = createStreamDecoder({ api: 'chat', maxNewTokens: 128, ...options });
  const reads = fixture(name).split(/(?<=\n\n)/);
  reads.forEach((read, i) => {
    if (!decoder.complete) decoder.feed(read, 1000 + 10 * i);
  });
  return decoder.finish();
}

/** The same bytes in 7-character reads (frames split anywhere) must decode to the same answer. */
function replaySplit(name: string, options: Partial<StreamDecoderOptions> = {}): StreamOutcome {
  const decoder = createStreamDecoder({ api: 'chat', maxNewTokens: 128, ...options });
  const text = fixture(name);
  for (let i = 0; i < text.length && !decoder.complete; i += 7) decoder.feed(text.slice(i, i + 7), i);
  return decoder.finish();
}

const ALL = [
  'openai-content-filter.sse', 'openai-cut-mid-frame.sse', 'vllm-reasoning.sse', 'vllm-reasoning-cut.sse', 'vllm-continuous-usage.sse',
  'vllm-error-then-done.sse', 'vllm-abort.sse', 'llamacpp-error-field.sse', 'llamacpp-chat.sse', 'llamacpp-reasoning.sse',
  'mindie-token-timeout.txt', 'mindie-engine-failure.txt', 'mindie-unframed-json.txt', 'mindie-fulltext.sse', 'mindie-reasoning.sse',
  'tgi-mid-stream-error.sse', 'tgi-overloaded.sse', 'tgi-chat.sse', 'sglang-reasoning-tool-calls.sse', 'sglang-error-object.sse',
  'ollama-reasoning.sse', 'ollama-unframed-error.txt', 'vllm-inline-think.sse', 'vllm-inline-think-cut.sse', 'proxy-plain-text-data.sse',
];

describe('generic OpenAI', () => {
  it('keeps a finish reason other than stop/length as the server sent it', () => {
    expect(replay('openai-content-filter.sse')).toEqual({
      kind: 'done',
      finishReason: 'content_filter',
      text: 'The Normans were',
      tokenTimes: [1010, 1020, 1030],
      tFirstToken: 1010,
      tFirstAnswerToken: 1010,
      usage: { promptTokens: 412, completionTokens: 3 },
    });
  });

  it('calls a body that ends inside a frame a cut stream, keeping what arrived', () => {
    const outcome = replay('openai-cut-mid-frame.sse');
    expect(outcome).toMatchObject({ kind: 'failed', category: 'protocol', text: ' Nor', tokenTimes: [1010] });
    expect(outcome.kind === 'failed' && outcome.message).toBe('stream cut mid-answer after 1 tokens (the last frame unfinished)');
  });
});

describe('vLLM / vllm-ascend', () => {
  it('counts and times reasoning tokens: TTFT at the first reasoning token, a separate first answer token', () => {
    expect(replay('vllm-reasoning.sse')).toEqual({
      kind: 'done',
      finishReason: 'stop',
      text: 'In 911',
      tokenTimes: [1010, 1020, 1030, 1040, 1050],
      tFirstToken: 1010,
      tFirstAnswerToken: 1040,
      reasoningTokens: 3,
      reasoningText: 'The passage says 911.',
      usage: { promptTokens: 180, completionTokens: 5 },
    });
  });

  it('fails an answer cut by max_tokens while still reasoning (not an empty answer, which SQuAD would score as abstention)', () => {
    const outcome = replay('vllm-reasoning-cut.sse');
    expect(outcome).toMatchObject({ kind: 'failed', category: 'truncated', text: '', reasoningTokens: 3, tokenTimes: [1010, 1020, 1030] });
    expect(outcome.kind === 'failed' && outcome.message).toBe('answer cut while still reasoning (3 reasoning tokens, no answer; ended by max_tokens)');
  });

  it('reads per-chunk usage: an empty delta that carried a token keeps its time, a chunk of two tokens says so', () => {
    expect(replay('vllm-continuous-usage.sse')).toEqual({
      kind: 'done',
      finishReason: 'stop',
      text: ' Café Rouge',
      tokenTimes: [1010, 1020, 1030, 1040],
      chunkTokens: [1, 1, 1, 2],
      tFirstToken: 1010,
      tFirstAnswerToken: 1010,
      usage: { promptTokens: 96, completionTokens: 5 },
    });
  });

  it('reports an in-stream error in full, as a server fault', () => {
    const outcome = replay('vllm-error-then-done.sse');
    expect(outcome).toMatchObject({ kind: 'failed', category: 'server' });
    expect(outcome.kind === 'failed' && outcome.message).toBe(
      "server error in stream: This model's maximum context length is 1024 tokens. However, you requested 1170 tokens (1042 in the messages, 128 in the completion). Please reduce the length of the messages or completion.",
    );
  });

  it('keeps finish_reason abort (the engine dropped the request)', () => {
    expect(replay('vllm-abort.sse')).toMatchObject({ kind: 'done', finishReason: 'abort', text: 'The' });
  });
});

describe('reasoning written into the content (no reasoning parser)', () => {
  it('takes the <think> block out of the answer, counting and timing it as reasoning', () => {
    expect(replay('vllm-inline-think.sse')).toEqual({
      kind: 'done',
      finishReason: 'stop',
      text: 'In 911',
      tokenTimes: [1010, 1020, 1030, 1040, 1050, 1060, 1070],
      tFirstToken: 1010,
      tFirstAnswerToken: 1060,
      reasoningTokens: 4,
      reasoningText: 'The text says 911.',
      usage: { promptTokens: 120, completionTokens: 7 },
    });
  });

  it('fails an answer cut inside the <think> block', () => {
    expect(replay('vllm-inline-think-cut.sse')).toMatchObject({ kind: 'failed', category: 'truncated', text: '', reasoningText: 'Hmm', reasoningTokens: 2 });
  });
});

describe('a proxy in front of the server', () => {
  it("reads data that is not JSON as the proxy's words", () => {
    expect(replay('proxy-plain-text-data.sse')).toMatchObject({ kind: 'failed', category: 'server', message: 'server error in stream: upstream request timeout', text: 'The' });
  });
});

describe('llama.cpp', () => {
  it("reads an older server's SSE error: field as the server's message", () => {
    expect(replay('llamacpp-error-field.sse')).toMatchObject({
      kind: 'failed',
      category: 'server',
      message: 'server error in stream: the request exceeds the available context size. try increasing the context size or enable context shift',
    });
  });

  it('reads usage riding on the finish chunk without inventing a token for it', () => {
    expect(replay('llamacpp-chat.sse')).toEqual({
      kind: 'done',
      finishReason: 'stop',
      text: 'Denmark',
      tokenTimes: [1010, 1020],
      tFirstToken: 1010,
      tFirstAnswerToken: 1010,
      usage: { promptTokens: 301, completionTokens: 2 },
    });
  });

  it('reads reasoning_content (--reasoning-format)', () => {
    expect(replay('llamacpp-reasoning.sse')).toMatchObject({ kind: 'done', text: '1066', tokenTimes: [1010, 1020, 1030], tFirstToken: 1010, tFirstAnswerToken: 1030, reasoningTokens: 2 });
  });
});

describe('MindIE', () => {
  it('counts its unframed token-timeout text as overload, keeping the tokens that came before', () => {
    expect(replay('mindie-token-timeout.txt')).toMatchObject({
      kind: 'failed',
      category: 'overload',
      message: 'server error in stream: Engine callback timeout: server tokenTimeout',
      text: 'The Loire',
      tokenTimes: [1000, 1010],
    });
  });

  it('reports an unframed engine failure as a server fault in its own words (not "empty stream")', () => {
    expect(replay('mindie-engine-failure.txt')).toMatchObject({ kind: 'failed', category: 'server', message: 'server error in stream: Failed to get engine response' });
  });

  it('reads an unframed JSON error by its message', () => {
    expect(replay('mindie-unframed-json.txt')).toMatchObject({ kind: 'failed', category: 'overload', message: 'server error in stream: Engine callback timeout: server tokenTimeout' });
  });

  it('detects fullTextEnabled cumulative deltas (default) and when configured; a profile that says false is obeyed', () => {
    const expected = { kind: 'done', finishReason: 'stop', text: 'The Normans.', tokenTimes: [1000, 1010, 1020, 1030] };
    expect(replay('mindie-fulltext.sse')).toMatchObject(expected);
    expect(replay('mindie-fulltext.sse', { dialect: 'mindie' })).toMatchObject(expected);
    expect(replay('mindie-fulltext.sse', { dialect: 'openai', cumulative: true })).toMatchObject(expected);
    expect(replay('mindie-fulltext.sse', { dialect: 'mindie', cumulative: false }).text).toBe('TheThe NorThe NormansThe Normans.');
    expect(replay('mindie-fulltext.sse', { dialect: 'vllm' }).text).toBe('TheThe NorThe NormansThe Normans.');
  });

  it('reads reasoning_content', () => {
    expect(replay('mindie-reasoning.sse')).toMatchObject({ kind: 'done', text: 'Rollo', reasoningText: 'Rollo led them.', tFirstToken: 1000, tFirstAnswerToken: 1020, reasoningTokens: 2 });
  });
});

describe('TGI', () => {
  it('keeps a long mid-stream error whole (no cut at 80 characters)', () => {
    const outcome = replay('tgi-mid-stream-error.sse');
    expect(outcome).toMatchObject({ kind: 'failed', category: 'server', text: 'The Normans' });
    const message = outcome.kind === 'failed' ? outcome.message : '';
    expect(message.startsWith('server error in stream: Request failed during generation: Server error: CUDA out of memory. Tried to allocate 2.00 GiB.')).toBe(true);
    expect(message.endsWith('PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.')).toBe(true);
  });

  it('counts "Model is overloaded" as overload', () => {
    expect(replay('tgi-overloaded.sse')).toMatchObject({ kind: 'failed', category: 'overload', message: 'server error in stream: Model is overloaded' });
  });

  it('reads its chunks (role repeated on every delta, usage null)', () => {
    expect(replay('tgi-chat.sse')).toMatchObject({ kind: 'done', finishReason: 'stop', text: 'Paris', tokenTimes: [1000] });
  });
});

describe('SGLang', () => {
  it("prefers the server's reasoning token count and keeps finish_reason tool_calls", () => {
    expect(replay('sglang-reasoning-tool-calls.sse')).toEqual({
      kind: 'done',
      finishReason: 'tool_calls',
      text: 'Calling',
      tokenTimes: [1010, 1020],
      tFirstToken: 1010,
      tFirstAnswerToken: 1020,
      reasoningTokens: 1,
      reasoningText: 'Look it up.',
      usage: { promptTokens: 50, completionTokens: 2 },
    });
  });

  it('reads the bare ErrorResponse frame', () => {
    expect(replay('sglang-error-object.sse')).toMatchObject({
      kind: 'failed',
      category: 'server',
      message: "server error in stream: The input (1100 tokens) is longer than the model's context length (1024 tokens).",
    });
  });
});

describe('Ollama', () => {
  it('reads delta.reasoning', () => {
    expect(replay('ollama-reasoning.sse')).toMatchObject({ kind: 'done', text: 'Seine', tokenTimes: [1000, 1010], tFirstToken: 1000, tFirstAnswerToken: 1010, reasoningTokens: 1 });
  });

  it('reads an error written as bare JSON mid-stream', () => {
    expect(replay('ollama-unframed-error.txt')).toMatchObject({
      kind: 'failed',
      category: 'server',
      text: 'The',
      message: 'server error in stream: model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details',
    });
  });
});

describe('every capture', () => {
  it.each(ALL)('%s decodes the same when its frames are split anywhere', (name) => {
    const whole = replay(name);
    const split = replaySplit(name);
    expect({ kind: split.kind, text: split.text, tokens: split.tokenTimes.length, message: split.kind === 'failed' ? split.message : '' }).toEqual({
      kind: whole.kind,
      text: whole.text,
      tokens: whole.tokenTimes.length,
      message: whole.kind === 'failed' ? whole.message : '',
    });
  });
});

describe('the decoder', () => {
  it('stops one delta past the token cap and ignores the usage of a server that overran', () => {
    const decoder = createStreamDecoder({ api: 'chat', maxNewTokens: 2 });
    const frame = (content: string) => `data: {"choices":[{"index":0,"delta":{"content":"${content}"}}]}\n\n`;
    decoder.feed(frame('a') + frame('b'), 5);
    expect(decoder.complete).toBe(false);
    decoder.feed(frame('c'), 6);
    expect(decoder.complete).toBe(true);
    expect(decoder.finish()).toEqual({ kind: 'done', finishReason: 'length', text: 'ab', tokenTimes: [5, 5], tFirstToken: 5, tFirstAnswerToken: 5, usage: undefined });
  });

  it('takes a plain empty answer (no reasoning) as an answer: that is how a model abstains', () => {
    const decoder = createStreamDecoder({ api: 'chat', maxNewTokens: 8 });
    decoder.feed('data: {"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n', 1);
    expect(decoder.finish()).toEqual({ kind: 'done', finishReason: 'stop', text: '', tokenTimes: [] });
  });

  it('reads an event: error frame', () => {
    const decoder = createStreamDecoder({ api: 'chat', maxNewTokens: 8 });
    decoder.feed('event: error\ndata: {"message":"backend went away"}\n\n', 1);
    expect(decoder.finish()).toMatchObject({ kind: 'failed', category: 'server', message: 'server error in stream: backend went away' });
  });

  it('splits a <think> block out of cumulative pieces too, and leaves answers without one alone', () => {
    const pieces = [
      { text: '<think>a', t: 1, tokens: 1 },
      { text: '<think>a</think>', t: 2, tokens: 1 },
      { text: '<think>a</think> Rouen', t: 3, tokens: 1 },
    ];
    expect(splitInlineThinking('<think>a</think> Rouen', pieces, true)).toEqual({ answer: 'Rouen', reasoning: 'a', closed: true, reasoningTokens: 2, tFirstAnswer: 3 });
    expect(splitInlineThinking('Rouen <think>', [{ text: 'Rouen <think>', t: 1, tokens: 1 }], false)).toBeUndefined();
  });

  it('detects cumulative deltas only when every piece strictly extends the one before', () => {
    expect(looksCumulative(['The', 'The Nor', 'The Normans'])).toBe(true);
    expect(looksCumulative([' The', ' Normans'])).toBe(false);
    expect(looksCumulative(['no', 'no'])).toBe(false);
    expect(looksCumulative(['a', 'ab', 'abc'])).toBe(false); // a one-character start is too thin to tell
    expect(looksCumulative(['Paris'])).toBe(false);
  });
});

describe('a profile\'s dialect', () => {
  const request = { id: 'r1', messages: [{ role: 'user' as const, content: 'q' }], promptIds: [1], promptText: 'q', maxNewTokens: 16 };
  const endpoint = { label: 'A', base: 'http://h:8001/v1', api: 'chat' as const, requestTimeoutMs: 1000 };

  it('names exactly the dialects there are', () => {
    expect(modelSchema.shape.dialect.unwrap().options).toEqual([...DIALECT_NAMES]);
  });

  it('reaches the decoder, and asks vLLM (only) for per-chunk usage', () => {
    const mindie = streamJob({ ...endpoint, dialect: 'mindie', cumulativeDeltas: true }, request);
    expect(mindie.decoder).toEqual({ api: 'chat', maxNewTokens: 16, dialect: 'mindie', cumulative: true });
    expect(JSON.parse(mindie.body).stream_options).toEqual({ include_usage: true });
    const vllm = streamJob({ ...endpoint, dialect: 'vllm' }, request);
    expect(JSON.parse(vllm.body).stream_options).toEqual({ include_usage: true, continuous_usage_stats: true });
    expect(streamJob(endpoint, request).decoder).toEqual({ api: 'chat', maxNewTokens: 16 });
  });
});
