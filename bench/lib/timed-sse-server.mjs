// An OpenAI-compatible streaming server, run as its own process, that knows every chunk's
// true time: it streams tokens on a programmed schedule and logs, per request
// (x-request-id), when the request arrived and when each chunk was written (epoch ms,
// sub-ms precision: performance.timeOrigin + performance.now()).
//
// Schedule: the x-schedule header or, failing that, the body's model name, e.g.
// "ttft=40,gap=10" or "ttft=20,gap=2-10" (each gap drawn uniformly from the range);
// max_tokens sets the answer's length. GET /log/<id> returns one request's log,
// GET /logs all of them; POST /reset forgets them. Used by the measuring-plane tests and
// by bench:client.
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
let logs = new Map();

function parseSchedule(spec) {
  const schedule = { ttft: 20, gapMin: 10, gapMax: 10 };
  for (const part of spec.split(',')) {
    const [key, value] = part.split('=');
    if (key === 'ttft') schedule.ttft = Number(value);
    if (key === 'gap') {
      const [lo, hi] = value.split('-').map(Number);
      schedule.gapMin = lo;
      schedule.gapMax = hi ?? lo;
    }
  }
  return schedule;
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/logs') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(Object.fromEntries(logs)));
  }
  if (req.method === 'GET' && req.url?.startsWith('/log/')) {
    const entry = logs.get(decodeURIComponent(req.url.slice(5)));
    res.writeHead(entry ? 200 : 404, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(entry ?? null));
  }
  if (req.method === 'POST' && req.url === '/reset') {
    logs = new Map();
    return res.end('ok');
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ data: [{ id: 'timed' }] }));
  }
  const receivedAt = now();
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const id = String(req.headers['x-request-id'] ?? 'none');
    const request = JSON.parse(body || '{}');
    const schedule = parseSchedule(String(req.headers['x-schedule'] ?? request.model ?? ''));
    const tokens = Math.max(1, request.max_tokens ?? 8);
    const entry = { receivedAt, writes: [] };
    logs.set(id, entry);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let i = 0;
    let closed = false;
    res.on('close', () => (closed = true));
    const write = () => {
      if (closed) return;
      const last = i === tokens - 1;
      const chunk = { id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: ` t${i}` }, finish_reason: last ? 'stop' : null }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      entry.writes.push(now());
      i++;
      if (!last) return setTimeout(write, schedule.gapMin + Math.random() * (schedule.gapMax - schedule.gapMin));
      res.end(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1, completion_tokens: tokens } })}\n\ndata: [DONE]\n\n`);
    };
    setTimeout(write, schedule.ttft);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
