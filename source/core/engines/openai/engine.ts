import { createParser } from 'eventsource-parser';
import { systemClock, type Clock } from '../../clock.js';
import { UserError } from '../../errors.js';
import type { ModelProfile } from '../../profile/schema.js';
import type { Engine, EngineInfo, EngineLoad, FinishReason, GenerateRequest, GenerateResult, TokenEvent } from '../engine.js';
import { readChunk, StreamFormatError, type OpenAIApi } from './chunk.js';
import { describeFetchError, endpointUrl, firstLine, redact } from './http.js';

export interface OpenAIEngineOptions {
  clock?: Clock;
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  /** Counts output tokens when the server reports no usage (our tokenizer); else one per delta. */
  countTokens?: (text: string) => number;
}

/** Metadata `duet serve` adds to its /v1/models entries. */
interface ModelEntry {
  id?: unknown;
  duet?: { synthetic?: unknown };
}

/**
 * An Engine over an OpenAI-compatible HTTP server (vllm-ascend, MindIE, llama.cpp,
 * `duet serve`). Streams every request, times each content delta on the run clock and
 * never retries: a benchmark must count every failure.
 */
export function createOpenAIEngine(model: ModelProfile, options: OpenAIEngineOptions = {}): Engine {
  const clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? fetch;
  const env = options.env ?? process.env;
  const api: OpenAIApi = model.api;
  const bases = model.endpoints?.length ? model.endpoints : model.url ? [model.url] : [];
  if (bases.length === 0) throw new UserError(`model "${model.label}": backend openai needs a url (e.g. http://127.0.0.1:8001/v1)`);
  let apiKey: string | undefined;
  if (model.apiKeyEnv) {
    apiKey = env[model.apiKeyEnv];
    if (!apiKey) throw new UserError(`model "${model.label}": environment variable ${model.apiKeyEnv} (apiKeyEnv) is not set`);
  }
  let served = model.served;
  let synthetic = false;
  let next = 0;
  const inFlight = new Set<AbortController>();

  const headers = (): Record<string, string> => ({
    'content-type': 'application/json',
    accept: 'text/event-stream',
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  });
  const clean = (text: string) => redact(text, [apiKey]);

  async function start(): Promise<void> {
    // Learn the served name (when the profile omits it) and whether this is duet's synthetic demo model.
    const url = endpointUrl(bases[0]!, 'models');
    let response: Response;
    try {
      response = await doFetch(url, { headers: headers(), signal: AbortSignal.timeout(Math.min(model.requestTimeoutMs, 10_000)) });
    } catch (error) {
      throw new Error(clean(`model "${model.label}": cannot reach ${url}: ${describeFetchError(error)}`));
    }
    if (!response.ok) {
      await response.body?.cancel();
      return; // Not every server lists models; generation will tell.
    }
    const body = (await response.json().catch(() => undefined)) as { data?: ModelEntry[] } | undefined;
    const entries = Array.isArray(body?.data) ? body.data : [];
    const entry = entries.find((e) => e.id === served) ?? (served === undefined ? entries[0] : undefined);
    if (served === undefined && typeof entry?.id === 'string') served = entry.id;
    synthetic = entry?.duet?.synthetic === true;
  }

  function info(): EngineInfo {
    return { label: model.label, backend: 'openai', model: served ?? model.label, device: model.device ?? 'remote', synthetic, url: bases[0] };
  }

  async function generate(request: GenerateRequest, onToken?: (token: TokenEvent) => void): Promise<GenerateResult> {
    const base = bases[next++ % bases.length]!;
    const url = endpointUrl(base, api === 'chat' ? 'chat/completions' : 'completions');
    const body = {
      model: served ?? model.label,
      ...(api === 'chat' ? { messages: request.messages } : { prompt: request.promptText }),
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      max_tokens: request.maxNewTokens,
    };
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, model.requestTimeoutMs);
    const onAbort = () => controller.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    inFlight.add(controller);
    const where = `model "${model.label}" (${url})`;
    const state = { text: '', tokenTimes: [] as number[], tFirstToken: undefined as number | undefined, tStart: clock.now() };
    const aborted = (): GenerateResult => finish(state, 'abort', undefined, request);
    try {
      if (request.signal?.aborted) return aborted();
      let response: Response;
      try {
        response = await doFetch(url, { method: 'POST', headers: headers(), body: JSON.stringify(body), signal: controller.signal });
      } catch (error) {
        if (controller.signal.aborted && !timedOut) return aborted();
        if (timedOut) throw new Error(`${where}: no answer within ${model.requestTimeoutMs} ms`);
        throw new Error(`${where}: request failed: ${describeFetchError(error)}`);
      }
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        throw new Error(`${where}: HTTP ${response.status}: ${firstLine(text)}`);
      }
      const type = response.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream')) {
        const text = await response.text().catch(() => '');
        throw new Error(`${where}: expected an SSE stream (text/event-stream), got ${type || 'no content type'}: ${firstLine(text)}`);
      }
      const outcome = await readStream(response, request, state, controller, onToken);
      if (outcome.kind === 'aborted') {
        if (timedOut) throw new Error(`${where}: answer not finished within ${model.requestTimeoutMs} ms`);
        return aborted();
      }
      return finish(state, outcome.finishReason, outcome.usage, request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(clean(message.startsWith(where) ? message : `${where}: ${message}`));
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      inFlight.delete(controller);
    }
  }

  type Usage = { promptTokens?: number; completionTokens?: number };
  type StreamState = { text: string; tokenTimes: number[]; tFirstToken: number | undefined; tStart: number };
  type Outcome = { kind: 'done'; finishReason: FinishReason; usage?: Usage } | { kind: 'aborted' };

  async function readStream(
    response: Response,
    request: GenerateRequest,
    state: StreamState,
    controller: AbortController,
    onToken?: (token: TokenEvent) => void,
  ): Promise<Outcome> {
    let done = false;
    let events = 0;
    let finishReason: string | undefined;
    let usage: Usage | undefined;
    let capped = false;
    let failure: Error | undefined;
    const parser = createParser({
      onEvent(event) {
        if (done || failure) return;
        events++;
        if (event.data === '[DONE]') {
          done = true;
          return;
        }
        const chunk = readChunk(event.data, api);
        if (chunk.usage) usage = chunk.usage;
        if (chunk.finishReason) finishReason = chunk.finishReason;
        if (chunk.content === '') return;
        // A server that ignores max_tokens must not stream forever: stop one delta past the cap.
        if (state.tokenTimes.length >= request.maxNewTokens) {
          capped = true;
          return;
        }
        const t = clock.now();
        state.tFirstToken ??= t;
        state.tokenTimes.push(t);
        state.text += chunk.content;
        onToken?.({ text: chunk.content, t });
      },
      onError(error) {
        failure ??= new StreamFormatError(`malformed SSE: ${error.message}`);
      },
    });
    // A plain TextDecoder rather than a TextDecoderStream: one stream hop less per chunk.
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    try {
      while (!done && !capped && !failure) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          if (controller.signal.aborted) return { kind: 'aborted' };
          throw new Error(`stream cut mid-answer after ${state.tokenTimes.length} tokens: ${describeFetchError(error)}`);
        }
        if (result.done) break;
        parser.feed(decoder.decode(result.value, { stream: true }));
      }
    } finally {
      if (!done || capped) await reader.cancel().catch(() => undefined);
    }
    if (failure) throw failure;
    if (capped) return { kind: 'done', finishReason: 'length', usage: undefined };
    if (events === 0) throw new Error('empty stream: the server sent no events');
    if (!done && finishReason === undefined) {
      throw new Error(`stream cut mid-answer after ${state.tokenTimes.length} tokens (no finish_reason, no [DONE])`);
    }
    return { kind: 'done', finishReason: finishReason === 'length' ? 'length' : 'stop', usage };
  }

  function finish(state: StreamState, finishReason: FinishReason, usage: Usage | undefined, request: GenerateRequest): GenerateResult {
    const deltas = state.tokenTimes.length;
    const counted = usage?.completionTokens ?? (options.countTokens && deltas > 0 ? options.countTokens(state.text) : deltas);
    return {
      text: state.text,
      tokenIds: [],
      promptTokens: usage?.promptTokens ?? request.promptIds.length,
      outputTokens: counted,
      tStart: state.tStart,
      tFirstToken: state.tFirstToken,
      tEnd: clock.now(),
      tokenTimes: state.tokenTimes,
      finishReason,
    };
  }

  return {
    info,
    start,
    generate,
    load: (): EngineLoad => ({ queued: 0, running: inFlight.size, batchSize: inFlight.size }),
    async stop() {
      for (const controller of inFlight) controller.abort();
    },
  };
}
