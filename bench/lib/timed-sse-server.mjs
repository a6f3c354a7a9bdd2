// An OpenAI-compatible streaming server, run as its own process, that knows every chunk's
// true time: it writes tokens on a programmed schedule and logs, per request (x-request-id),
// when the request arrived and when each chunk was written (epoch ms, sub-ms precision).
// The schedule comes from the x-schedule header or, failing that, the body's model name:
// "ttft=40,gap=10" (ms); max_tokens sets the answer's length. GET /log/<id> returns the log.
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
const logs = new Map();

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/log/')) {
    const entry = logs.get(decodeURIComponent(req.url.slice(5)));
    res.writeHead(entry ? 200 : 404, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(entry ?? null));
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
    const spec = String(req.headers['x-schedule'] ?? request.model ?? '');
    const schedule = Object.fromEntries(spec.split(',').filter((kv) => kv.includes('=')).map((kv) => kv.split('=').map((x, i) => (i ? Number(x) : x))));
    const tokens = Math.max(1, request.max_tokens ?? 8);
    const entry = { receivedAt, writes: [] };
    logs.set(id, entry);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let i = 0;
    const write = () => {
      const chunk = { id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: ` t${i}` }, finish_reason: i === tokens - 1 ? 'stop' : null }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      entry.writes.push(now());
      i++;
      if (i < tokens) return setTimeout(write, schedule.gap ?? 10);
      res.end('data: [DONE]\n\n');
    };
    setTimeout(write, schedule.ttft ?? 20);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
