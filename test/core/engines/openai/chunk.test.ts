import { describe, expect, it } from 'vitest';
import { errorMessageOf, readChunk, StreamFormatError, StreamServerError } from '../../../../source/core/engines/openai/chunk.js';

// Frames in the shapes vLLM, llama.cpp's llama-server and OpenAI send (written from their schemas).
describe('readChunk', () => {
  it('reads chat deltas, role-only and finish chunks', () => {
    expect(readChunk('{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}', 'chat')).toEqual({ content: '' });
    expect(readChunk('{"choices":[{"index":0,"delta":{"content":" Paris"},"logprobs":null,"finish_reason":null}]}', 'chat')).toEqual({ content: ' Paris' });
    // llama-server ends with content null (or absent) and may add its own timings.
    expect(readChunk('{"choices":[{"index":0,"delta":{"content":null},"finish_reason":"length"}],"timings":{"predicted_n":8}}', 'chat')).toEqual({ content: '', finishReason: 'length' });
    expect(readChunk('{"choices":[{"index":0,"finish_reason":"stop"}]}', 'chat')).toEqual({ content: '', finishReason: 'stop' });
  });

  it('reads the usage chunk (choices empty) and usage riding on the last choice chunk', () => {
    expect(readChunk('{"choices":[],"usage":{"prompt_tokens":412,"completion_tokens":7,"total_tokens":419}}', 'chat')).toEqual({ content: '', usage: { promptTokens: 412, completionTokens: 7 } });
    expect(readChunk('{"choices":[{"index":0,"text":"","finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}', 'completions')).toEqual({
      content: '',
      finishReason: 'stop',
      hasChoice: true,
      usage: { promptTokens: 3, completionTokens: 2 },
    });
    expect(readChunk('{"usage":{"prompt_tokens":1,"completion_tokens":1}}', 'chat').usage).toEqual({ promptTokens: 1, completionTokens: 1 });
  });

  it('reads plain completion text', () => {
    expect(readChunk('{"object":"text_completion","choices":[{"index":0,"text":" blue","finish_reason":null}]}', 'completions')).toEqual({ content: ' blue' });
  });

  it.each([
    ['not JSON', 'data: {oops', /malformed SSE: data is not JSON: data: \{oops/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['no choices and no usage', '{"id":"x"}', /no "choices" array/],
    ['a choice without delta', '{"choices":[{"index":0,"text":"x"}]}', /choices\[0\]\.delta missing/],
    ['content of the wrong type', '{"choices":[{"delta":{"content":42}}]}', /content is number, expected a string/],
  ])('rejects %s', (_name, data, pattern) => {
    expect(() => readChunk(data, 'chat')).toThrow(StreamFormatError);
    expect(() => readChunk(data, 'chat')).toThrow(pattern);
  });

  it('turns an in-stream error object into an error carrying its message', () => {
    expect(() => readChunk('{"error":{"message":"The decoder prompt is longer than the maximum model length","code":400}}', 'chat')).toThrow(
      'server error in stream: The decoder prompt is longer than the maximum model length',
    );
  });

  it('reads reasoning text (reasoning_content, or reasoning) apart from the answer, and the reasoning token count', () => {
    expect(readChunk('{"choices":[{"index":0,"delta":{"reasoning_content":"Hmm","content":null}}]}', 'chat')).toEqual({ content: '', reasoning: 'Hmm' });
    expect(readChunk('{"choices":[{"index":0,"delta":{"reasoning":"Hmm","content":""}}]}', 'chat')).toEqual({ content: '', reasoning: 'Hmm' });
    expect(readChunk('{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9,"completion_tokens_details":{"reasoning_tokens":6}}}', 'chat').usage).toEqual({
      promptTokens: 5,
      completionTokens: 9,
      reasoningTokens: 6,
    });
  });

  it('reads every family\'s error shape, TGI\'s plain-string error and the bare ErrorResponse', () => {
    expect(() => readChunk('{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096","error_type":"validation"}', 'chat')).toThrow(StreamServerError);
    expect(() => readChunk('{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096","error_type":"validation"}', 'chat')).toThrow(
      'server error in stream: Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096',
    );
    expect(() => readChunk('{"object":"error","message":"too long","type":"BadRequestError","code":400}', 'chat')).toThrow('server error in stream: too long');
    expect(errorMessageOf({ code: 500, message: 'slot unavailable', type: 'server_error' })).toBe('slot unavailable');
    expect(errorMessageOf({ error: { message: 'model "x" not found' } })).toBe('model "x" not found');
    expect(errorMessageOf({ errorMessage: 'Invalid request' })).toBe('Invalid request');
    expect(errorMessageOf({ status: 'ok' })).toBeUndefined();
  });
});
