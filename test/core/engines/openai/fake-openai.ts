import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the in-process fake does with one request. */
export interface Scenario {
  status?: number;
  /** Raw body for non-200 answers or non-SSE answers. */
  body?: string;
  contentType?: string;
  /** Delay before the first content chunk, and between chunks. */
  ttftMs?: number;
  gapMs?: number;
  tokens?: string[];
  finishReason?: string | null;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  /** Raw SSE text sent instead of generated frames. */
  raw?: string;
  /** Destroy the socket after this many content chunks (a stream cut mid-answer). */
  cutAfter?: number;
  /** Send [DONE] at the end (default true). */
  done?: boolean;
  /** Keep streaming tokens forever (a server that ignores max_tokens). */
  endless?: boolean;
}

export interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  receivedAt: number;
  /** performance.now() right after the first content chunk was written. */
  firstSentAt?: number;
  chunksSent: number;
}

export interface FakeOpenAI {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function frame(content: string | null, finish: string | null, api: string): string {
  const choice = api === 'chat' ? { index: 0, delta: content === null ? {} : { content }, finish_reason: finish } : { index: 0, text: content ?? '', finish_reason: finish };
  return `data: ${JSON.stringify({ id: 'x', object: api === 'chat' ? 'chat.completion.chunk' : 'text_completion', choices: [choice] })}\n\n`;
}

/** An in-process OpenAI-like server whose every answer is scripted (same clock as the test). */
export async function startFakeOpenAI(script: (seen: Seen) => Scenario): Promise<FakeOpenAI> {
  const seen: Seen[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const receivedAt = performance.now();
    let text = '';
    for await (const part of req) text += part;
    const record: Seen = { path: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, receivedAt, chunksSent: 0 };
    seen.push(record);
    const s = script(record);
    if (req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(s.body ?? JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model' }] }));
      return;
    }
    if ((s.status ?? 200) !== 200 || s.body !== undefined) {
      res.writeHead(s.status ?? 200, { 'content-type': s.contentType ?? 'application/json' }).end(s.body ?? '');
      return;
    }
    const api = req.url?.endsWith('/chat/completions') ? 'chat' : 'completions';
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    if (s.raw !== undefined) {
      res.end(s.raw);
      return;
    }
    if (api === 'chat') res.write(frame('', null, api).replace('"content":""', '"role":"assistant","content":""'));
    const tokens = s.tokens ?? ['Hello', ' world'];
    for (let i = 0; s.endless || i < tokens.length; i++) {
      await sleep(i === 0 ? (s.ttftMs ?? 0) : (s.gapMs ?? 0));
      if (res.destroyed) return;
      if (s.cutAfter !== undefined && i >= s.cutAfter) {
        res.socket?.destroy();
        return;
      }
      res.write(frame(tokens[i % tokens.length]!, null, api));
      record.chunksSent++;
      if (i === 0) record.firstSentAt = performance.now();
    }
    res.write(frame(null, s.finishReason === undefined ? 'stop' : s.finishReason, api));
    if (s.usage !== null) {
      const usage = s.usage ?? { prompt_tokens: 7, completion_tokens: tokens.length };
      res.write(`data: ${JSON.stringify({ id: 'x', choices: [], usage })}\n\n`);
    }
    if (s.done !== false) res.write('data: [DONE]\n\n');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
