import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateResult } from '../../../source/core/engines/engine.js';
import { ServeMetrics } from '../../../source/core/serve/metrics.js';
import { startServeServer, type ServeServer } from '../../../source/core/serve/server.js';
import { serverViewFrom } from '../../../source/core/telemetry/server-view.js';
import { charEncode, fakeEngine } from './fake-engine.js';

let server: ServeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const result = (tStart: number, tFirstToken: number): GenerateResult => ({ text: 'x', tokenIds: [], promptTokens: 1, outputTokens: 1, tStart, tFirstToken, tEnd: tFirstToken, tokenTimes: [tFirstToken], finishReason: 'stop' });

describe("duet serve's /metrics", () => {
  it("reads as vLLM's would: running, waiting, and server-side TTFT and queue time over an interval", () => {
    const metrics = new ServeMetrics();
    const before = serverViewFrom(metrics.exposition({ queued: 3, running: 2, batchSize: 2 }, 'demo-small'));
    expect(before.view).toEqual({ running: 2, waiting: 3 });
    metrics.observe(100, result(110, 150)); // queue 10 ms, TTFT 50 ms
    metrics.observe(200, result(230, 280)); // queue 30 ms, TTFT 80 ms
    const after = serverViewFrom(metrics.exposition({ queued: 0, running: 1, batchSize: 1 }, 'demo-small'), before.counters, 'demo-small');
    expect(after.view.running).toBe(1);
    expect(after.view.ttftMs).toBeCloseTo(65, 9);
    expect(after.view.queueMs).toBeCloseTo(20, 9);
  });

  it('is served over HTTP and counts the requests answered', async () => {
    const fake = fakeEngine();
    server = await startServeServer(fake.engine, { modelId: 'demo-small', encode: charEncode, maxTokens: 16, maxBodyBytes: 4096 });
    const ask = () =>
      fetch(`${server!.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'demo-small', messages: [{ role: 'user', content: 'Hi?' }], stream: true }) }).then((r) => r.text());
    await ask();
    await ask();
    const response = await fetch(new URL('/metrics', server.url));
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('duet:requests_total{model_name="demo-small"} 2');
    expect(text).toContain('duet:time_to_first_token_seconds_count{model_name="demo-small"} 2');
    expect(serverViewFrom(text).view).toEqual({ running: 0, waiting: 0 });
  });
});
