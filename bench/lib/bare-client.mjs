// The floor for bench:client: a minimal Node streaming client (node:http, one thread, no
// parsing beyond counting SSE events) that keeps `concurrency` requests outstanding for
// `seconds` and stamps every read with performance.now() the moment it arrives.
// Usage: node bare-client.mjs '<json: {urls, concurrency, seconds, tokens, schedule, out}>'
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const options = JSON.parse(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
const now = () => performance.timeOrigin + performance.now();
const records = [];
const deadline = performance.now() + options.seconds * 1000;
let next = 0;
const cpuStart = process.cpuUsage();

function one() {
  if (performance.now() >= deadline) return Promise.resolve();
  const n = next++;
  const id = `bare-${n}`;
  const url = new URL(`${options.urls[n % options.urls.length]}/chat/completions`);
  const body = JSON.stringify({ model: options.schedule, messages: [{ role: 'user', content: 'q' }], stream: true, max_tokens: options.tokens });
  return new Promise((resolve) => {
    const record = { id, sentAt: 0, arrivals: [] };
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': id } }, (res) => {
      res.on('data', (bytes) => {
        const t = now();
        // Every content event in this read arrived now.
        const events = bytes.toString('utf8').split('"content"').length - 1;
        for (let i = 0; i < events; i++) record.arrivals.push(t);
      });
      res.on('end', () => {
        records.push(record);
        resolve();
      });
    });
    req.on('error', () => resolve());
    record.sentAt = now();
    req.end(body);
  }).then(one);
}

await Promise.all(Array.from({ length: options.concurrency }, one));
const cpu = process.cpuUsage(cpuStart);
writeFileSync(options.out, JSON.stringify({ records, cpuMs: (cpu.user + cpu.system) / 1000 }));
agent.destroy();
