import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createStreamDecoder, type StreamDecoder } from '../engines/openai/decoder.js';
import type { FromClient, JobEnd, JobResult, StreamJob, ToClient, WorkerStart } from './protocol.js';

/**
 * A measuring-plane client worker: it owns the HTTP connections of streamed requests,
 * stamps every read with performance.now() the moment its bytes arrive (before any
 * parsing), decodes SSE here, and hands the main thread first-token notices and finished
 * results in one message per event-loop turn. Nothing heavy runs on this thread: no
 * tokenising, no metrics, no log writing, no rendering.
 */

const port = parentPort;
if (!port) throw new Error('client-worker.ts must run as a worker thread');
const start = (workerData as { start: WorkerStart }).start;
const offset = performance.timeOrigin - start.mainTimeOrigin + start.clockOffset;
const now = () => performance.now() + offset;

const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: Infinity }), https: new HttpsAgent({ keepAlive: true, maxSockets: Infinity }) };
const active = new Map<string, Active>();

interface Active {
  job: StreamJob;
  request?: ClientRequest;
  response?: IncomingMessage;
  decoder: StreamDecoder;
  tSent: number;
  tHeaders?: number;
  sendTimer?: ReturnType<typeof setTimeout>;
  timeout?: ReturnType<typeof setTimeout>;
  announced: boolean;
  ended: boolean;
}

// --- batched posting: one message per turn of the event loop ---
let firstTokens: Array<{ id: string; t: number }> = [];
let results: JobResult[] = [];
let flushQueued = false;
function queueFlush(): void {
  if (flushQueued) return;
  flushQueued = true;
  setImmediate(() => {
    flushQueued = false;
    if (firstTokens.length === 0 && results.length === 0) return;
    post({ type: 'batch', firstTokens, results });
    firstTokens = [];
    results = [];
  });
}
const post = (message: FromClient) => port.postMessage(message);

// --- health: the thread's own loop delay and busy share ---
const delay = monitorEventLoopDelay({ resolution: 2 });
delay.enable();
let lastElu = performance.eventLoopUtilization();
let chunksRead = 0;
const healthTimer = setInterval(() => {
  const elu = performance.eventLoopUtilization(lastElu);
  lastElu = performance.eventLoopUtilization();
  // The histogram counts the resolution itself in every sample: take it off.
  const extra = (ns: number) => Math.max(0, ns / 1e6 - 2);
  post({
    type: 'health',
    health: {
      worker: start.index,
      loopDelayP99Ms: delay.count > 0 ? extra(delay.percentile(99)) : 0,
      loopDelayMaxMs: delay.count > 0 ? extra(delay.max) : 0,
      utilisation: elu.utilization,
      streams: active.size,
      chunks: chunksRead,
      intervalMs: elu.active + elu.idle,
    },
  });
  delay.reset();
  chunksRead = 0;
}, start.healthIntervalMs);

function begin(job: StreamJob): void {
  const entry: Active = { job, decoder: createStreamDecoder(job.decoder), tSent: 0, announced: false, ended: false };
  active.set(job.id, entry);
  const wait = job.sendAt === undefined ? 0 : job.sendAt - now();
  if (wait <= 0) return send(entry);
  // Timers fire at 1 ms granularity, never early: aim a little before and finish on setImmediate.
  entry.sendTimer = setTimeout(() => sendWhenDue(entry), Math.max(0, Math.floor(wait) - 1));
}

function sendWhenDue(entry: Active): void {
  entry.sendTimer = undefined;
  if (entry.ended) return;
  if (now() >= entry.job.sendAt!) return send(entry);
  setImmediate(() => sendWhenDue(entry));
}

function send(entry: Active): void {
  const { job } = entry;
  const url = new URL(job.url);
  const secure = url.protocol === 'https:';
  const request = (secure ? httpsRequest : httpRequest)(url, {
    method: 'POST',
    agent: secure ? agents.https : agents.http,
    headers: { ...job.headers, 'content-length': Buffer.byteLength(job.body) },
  });
  entry.request = request;
  entry.timeout = setTimeout(() => finish(entry, { kind: 'timeout', afterTokens: entry.decoder.tokens }), job.timeoutMs);
  request.on('response', (response) => onResponse(entry, response));
  request.on('error', (error: Error & { code?: string }) => {
    const detail = error.code ? `${error.code} (${error.message})` : error.message;
    if (entry.response) later({ entry, t: now(), run: () => finish(entry, { kind: 'stream', outcome: entry.decoder.finish(), cut: detail }) });
    else finish(entry, { kind: 'transport', message: error.message, ...(error.code ? { code: error.code } : {}), afterTokens: entry.decoder.tokens });
  });
  entry.tSent = now();
  request.end(job.body);
}

function onResponse(entry: Active, response: IncomingMessage): void {
  entry.tHeaders = now();
  entry.response = response;
  const status = response.statusCode ?? 0;
  const contentType = String(response.headers['content-type'] ?? '');
  if (status < 200 || status >= 300 || !contentType.includes('text/event-stream')) {
    // Not a stream: keep the body (bounded) for the error message.
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      if (body.length < 64_000) body += text;
    });
    response.on('end', () => finish(entry, status >= 200 && status < 300 ? notAStream(contentType, body) : { kind: 'http', status, contentType, body }));
    response.on('error', () => finish(entry, { kind: 'http', status, contentType, body }));
    return;
  }
  const text = new TextDecoder();
  // Stamp now, parse after every read of this turn is stamped: when many sockets are ready
  // at once, the last one's stamp must not wait for the others' parsing.
  response.on('data', (bytes: Buffer) => later({ entry, t: now(), run: (t) => parseRead(entry, text, bytes, t) }));
  response.on('end', () => later({ entry, t: now(), run: () => finish(entry, { kind: 'stream', outcome: entry.decoder.finish() }) }));
  // A connection that breaks mid-body still has what the decoder read (a server's last words).
  const broken = (detail: string) => later({ entry, t: now(), run: () => finish(entry, { kind: 'stream', outcome: entry.decoder.finish(), cut: detail }) });
  response.on('error', (error: Error & { code?: string }) => broken(error.code ? `${error.code} (${error.message})` : error.message));
  response.on('close', () => {
    if (!response.complete) broken('connection closed');
  });
}

function parseRead(entry: Active, text: TextDecoder, bytes: Buffer, t: number): void {
  if (entry.ended) return;
  const before = entry.decoder.tokens;
  entry.decoder.feed(text.decode(bytes, { stream: true }), t);
  const after = entry.decoder.tokens;
  chunksRead += after - before;
  if (!entry.announced && after > 0) {
    entry.announced = true;
    firstTokens.push({ id: entry.job.id, t });
    queueFlush();
  }
  if (entry.decoder.complete) finish(entry, { kind: 'stream', outcome: entry.decoder.finish() }, t);
}

// --- reads stamped on arrival, handled in order once the turn's I/O callbacks are done ---
interface Read {
  entry: Active;
  t: number;
  run(t: number): void;
}
let unread: Read[] = [];
let drainQueued = false;
function later(read: Read): void {
  unread.push(read);
  if (drainQueued) return;
  drainQueued = true;
  setImmediate(() => {
    drainQueued = false;
    const batch = unread;
    unread = [];
    for (const r of batch) r.run(r.t);
  });
}

function notAStream(contentType: string, body: string): JobEnd {
  return { kind: 'http', status: 200, contentType: contentType || 'no content type', body };
}

function finish(entry: Active, end: JobEnd, t = now()): void {
  if (entry.ended) return;
  entry.ended = true;
  active.delete(entry.job.id);
  if (entry.sendTimer) clearTimeout(entry.sendTimer);
  if (entry.timeout) clearTimeout(entry.timeout);
  // A stream that completed keeps its socket for reuse if the body ends soon (it does right
  // after [DONE]); a server that streams past the cap, or anything else, is cut.
  const response = entry.response;
  if (end.kind !== 'stream') entry.request?.destroy();
  else if (response && !response.complete) {
    response.resume();
    const cut = setTimeout(() => entry.request?.destroy(), 1000);
    response.once('end', () => clearTimeout(cut));
    response.once('close', () => clearTimeout(cut));
  }
  results.push({ id: entry.job.id, tSent: entry.tSent || t, ...(entry.tHeaders !== undefined ? { tHeaders: entry.tHeaders } : {}), tEnd: t, end });
  queueFlush();
}

port.on('message', (message: ToClient) => {
  switch (message.type) {
    case 'jobs':
      for (const job of message.jobs) begin(job);
      break;
    case 'abort': {
      const entry = active.get(message.id);
      if (entry) finish(entry, { kind: 'aborted' });
      break;
    }
    case 'stop':
      for (const entry of [...active.values()]) finish(entry, { kind: 'aborted' });
      clearInterval(healthTimer);
      delay.disable();
      agents.http.destroy();
      agents.https.destroy();
      setImmediate(() => {
        post({ type: 'stopped' });
        port.close();
      });
      break;
  }
});

post({ type: 'ready' });
