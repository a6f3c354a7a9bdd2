import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderLlama3Chat } from '../dataset/prompt.js';
import type { Engine, GenerateRequest } from '../engines/engine.js';
import { BadRequest, parseServeRequest, type ServeRequest } from './requests.js';
import { ServeMetrics } from './metrics.js';
import { chunk, completion, errorBody, usageChunk, type ErrorType, type ResponseContext } from './responses.js';

export interface ServeOptions {
  /** The model id clients must name (the folder name). */
  modelId: string;
  /** Text -> token ids (the model's tokenizer; special tokens in the text map to their ids). */
  encode: (text: string) => number[];
  /** Default and upper limit of max_tokens. */
  maxTokens: number;
  maxBodyBytes: number;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** False: listen at once (a busy port fails fast) but answer 503 until markReady(). Default true. */
  ready?: boolean;
  /**
   * Longest prompt accepted, in tokens (the model's context less max_tokens, and what memory
   * allows: prefill attention grows with the square of the prompt). Longer ones get 400.
   */
  maxPromptTokens?: number;
  /** Echoed in /v1/models (`duet.nonce`), so that the duet that launched this server can tell it from another on the port. */
  nonce?: string;
}

export interface ServeServer {
  /** Base URL of the API, e.g. http://127.0.0.1:8101/v1 */
  url: string;
  port: number;
  /** The engine is up: /health turns 200 and generation is accepted. */
  markReady(): void;
  /** Stops listening, aborts what is in flight, closes connections. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new HttpError(413, `request body larger than ${limit} bytes`, 'invalid_request_error', 'request_too_large');
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > limit) throw tooLarge();
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * The HTTP side of `duet serve`: the OpenAI API (models, chat and plain completions,
 * streaming and not) over any Engine. Concurrent requests simply call engine.generate
 * concurrently: batching is the engine's business.
 */
export async function startServeServer(engine: Engine, options: ServeOptions): Promise<ServeServer> {
  const inFlight = new Set<AbortController>();
  const metrics = new ServeMetrics();
  let ready = options.ready ?? true;
  const loading = () => new HttpError(503, 'the model is still loading', 'server_error', 'model_loading');
  const modelEntry = () => {
    const info = engine.info();
    const duet = { synthetic: info.synthetic, backend: info.backend, device: info.device, ...(options.nonce ? { nonce: options.nonce } : {}) };
    return { id: options.modelId, object: 'model', created: 0, owned_by: 'duet', duet };
  };

  const limit = options.maxPromptTokens ?? Number.POSITIVE_INFINITY;
  /**
   * Tokens of the prompt, refusing one over the limit. A long text is first measured by a
   * prefix (a token is at least one character, so `limit * 8` characters that already give
   * more than `limit` tokens prove the whole is too long) so no huge body is tokenised whole.
   */
  function encodeBounded(text: string, param: string): number[] {
    const tooLong = (count: string) =>
      new HttpError(400, `the prompt is ${count} tokens, more than the ${limit} this server accepts (the model's context less max_tokens, and memory); shorten it or start duet serve with a larger --max-prompt-tokens`, 'invalid_request_error', 'context_length_exceeded', param);
    if (text.length > limit * 8) {
      const prefix = options.encode(text.slice(0, limit * 8)).length;
      if (prefix > limit + 1) throw tooLong(`over ${prefix}`);
    }
    const ids = options.encode(text);
    if (ids.length > limit) throw tooLong(String(ids.length));
    return ids;
  }

  async function generate(request: ServeRequest, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    if (request.model !== options.modelId) {
      throw new HttpError(404, `The model '${request.model}' does not exist; this server serves '${options.modelId}'`, 'not_found_error', 'model_not_found', 'model');
    }
    const promptText = request.kind === 'chat' ? renderLlama3Chat(request.messages) : request.prompt!;
    const promptIds = encodeBounded(promptText, request.kind === 'chat' ? 'messages' : 'prompt');
    if (promptIds.length === 0) throw new HttpError(400, 'the prompt is empty', 'invalid_request_error', null, 'prompt');
    const controller = new AbortController();
    // The client went away: stop generating for it.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const engineRequest: GenerateRequest = {
      id: randomUUID(),
      messages: request.messages,
      promptIds,
      promptText,
      maxNewTokens: Math.min(request.maxTokens ?? options.maxTokens, options.maxTokens),
      signal: controller.signal,
    };
    const ctx: ResponseContext = {
      id: `${request.kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${engineRequest.id}`,
      created: Math.floor(Date.now() / 1000),
      model: options.modelId,
      kind: request.kind,
    };
    inFlight.add(controller);
    try {
      if (!request.stream) {
        const result = await engine.generate(engineRequest);
        if (result.finishReason === 'abort') throw new HttpError(503, 'the server is shutting down', 'server_error', 'aborted');
        metrics.observe(receivedAt, result);
        return sendJson(res, 200, completion(ctx, result));
      }
      const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.flushHeaders();
      if (ctx.kind === 'chat') send(chunk(ctx, '', null, true));
      try {
        const result = await engine.generate(engineRequest, (token) => {
          if (token.text !== '' && !res.destroyed) send(chunk(ctx, token.text, null));
        });
        if (res.destroyed) return;
        if (result.finishReason === 'abort') throw new Error('the server is shutting down');
        metrics.observe(receivedAt, result);
        send(chunk(ctx, null, result.finishReason === 'length' ? 'length' : 'stop'));
        if (request.includeUsage) send(usageChunk(ctx, result));
        res.end('data: [DONE]\n\n');
      } catch (error) {
        // Headers are gone: report in the stream, the way OpenAI-compatible servers do.
        if (!res.destroyed) res.end(`data: ${JSON.stringify(errorBody(error instanceof Error ? error.message : String(error), 'server_error'))}\n\n`);
      }
    } finally {
      inFlight.delete(controller);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/';
    } catch {
      throw new HttpError(400, 'malformed request path', 'invalid_request_error', 'invalid_path');
    }
    const method = req.method ?? 'GET';
    const only = (allowed: string) => {
      if (method !== allowed) throw new HttpError(405, `${method} ${path}: use ${allowed}`, 'invalid_request_error', 'method_not_allowed');
    };
    if (path === '/health') {
      only('GET');
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'loading' });
    }
    if (path === '/metrics') {
      only('GET');
      const text = metrics.exposition(engine.load(), options.modelId);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    if (path === '/v1/models') {
      only('GET');
      return sendJson(res, 200, { object: 'list', data: [modelEntry()] });
    }
    if (path.startsWith('/v1/models/')) {
      only('GET');
      let name: string;
      try {
        name = decodeURIComponent(path.slice('/v1/models/'.length));
      } catch {
        throw new HttpError(400, `malformed percent-encoding in the path ${JSON.stringify(path)}`, 'invalid_request_error', 'invalid_path');
      }
      if (name !== options.modelId) throw new HttpError(404, `The model '${path.slice(11)}' does not exist`, 'not_found_error', 'model_not_found');
      return sendJson(res, 200, modelEntry());
    }
    const kind = path === '/v1/chat/completions' ? 'chat' : path === '/v1/completions' ? 'completions' : undefined;
    if (!kind) throw new HttpError(404, `no route ${method} ${path}`, 'not_found_error', 'not_found');
    only('POST');
    if (!ready) throw loading();
    const text = await readBody(req, options.maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'the request body is not valid JSON', 'invalid_request_error', 'invalid_json');
    }
    try {
      return await generate(parseServeRequest(kind, body), res);
    } catch (error) {
      if (error instanceof BadRequest) throw new HttpError(400, error.message, 'invalid_request_error', null, error.param);
      throw error;
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close');
        return sendJson(res, error.status, errorBody(error.message, error.type, error.code, error.param));
      }
      sendJson(res, 500, errorBody(error instanceof Error ? error.message : String(error), 'server_error'));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/v1`,
    port,
    markReady: () => {
      ready = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const controller of inFlight) controller.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
