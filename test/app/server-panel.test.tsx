import { describe, expect, it } from 'vitest';
import { ModelPanel } from '../../source/app/panels/ModelPanel.js';
import { serverLine } from '../../source/app/panels/ServerPanel.js';
import { model } from './fixtures.js';
import { renderAt } from './render.js';

const server = { t: 5000, url: 'http://h:8001/metrics', running: 8, waiting: 3, kvCachePct: 41.25, prefixHitPct: 75, ttftMs: 80, queueMs: 25 };

describe('serverLine', () => {
  it("puts the server's queue, batch, KV cache and TTFT next to duet's client TTFT (mean, last 10 s)", () => {
    // The fixture's TTFT last 10 s has mean 52 ms.
    expect(serverLine(model('A', { server }))).toBe('server: running 8 · waiting 3 · KV 41% · prefix hits 75% · TTFT 80ms (duet 52ms) · queue 25ms');
  });

  it('shows what a family exposes and nothing it does not (llama.cpp: slots, no TTFT)', () => {
    expect(serverLine(model('B', { server: { t: 1, url: 'u', running: 2, waiting: 0, kvCachePct: 12.5, slotsBusy: 2, slotsTotal: 4 } }))).toBe(
      'server: running 2 · waiting 0 · slots 2/4 · KV 13%',
    );
  });

  it('says why a scrape failed, and nothing at all without a scraped server', () => {
    expect(serverLine(model('A', { server: { t: 1, url: 'u', problem: 'GET http://h/metrics: HTTP 404' } }))).toBe('server metrics: GET http://h/metrics: HTTP 404');
    expect(serverLine(model('A'))).toBeUndefined();
  });

  it('appears in the model panel only when the server is scraped', () => {
    const scales = { qps: 5, tokens: 50 };
    const withServer = renderAt(<ModelPanel model={model('A', { server })} metric="e2e" scales={scales} width={110} histRows={0} compact={false} />);
    expect(withServer.lastFrame()).toContain('server: running 8 · waiting 3');
    withServer.unmount();
    const without = renderAt(<ModelPanel model={model('A')} metric="e2e" scales={scales} width={110} histRows={0} compact={false} />);
    expect(without.lastFrame()).not.toContain('server:');
    without.unmount();
  });
});
