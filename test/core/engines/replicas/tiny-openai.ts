import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A minimal OpenAI-style streaming server on a chosen (or any) loopback port, whose behaviour a test can change. */
export interface TinyOpenAI {
  url: string;
  port: number;
  /** Chat requests received. */
  chats: number;
  /** Model-list requests received (health probes). */
  probes: number;
  /** Milliseconds between streamed tokens (0 = at once). */
  gapMs: number;
  /** Answer chats with this HTTP status instead of a stream. */
  status?: number;
  close(): Promise<void>;
}

export async function startTinyOpenAI(port = 0, gapMs = 0): Promise<TinyOpenAI> {
  const state = { chats: 0, probes: 0, gapMs, status: undefined as number | undefined };
  const server: Server = createServer(async (req, res) => {
    for await (const _ of req);
    if (req.url?.endsWith('/models')) {
      state.probes++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'tiny', object: 'model' }] }));
      return;
    }
    state.chats++;
    if (state.status !== undefined) {
      res.writeHead(state.status, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    for (const token of ['Paris', ' it', ' is']) {
      if (state.gapMs > 0) await new Promise((r) => setTimeout(r, state.gapMs));
      if (res.destroyed) return;
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: token }, finish_reason: null }] })}\n\n`);
    }
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${bound}/v1`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as TinyOpenAI;
}
