import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../../source/core/session/report/data.js';
import { serverTable } from '../../../source/core/session/report/server-table.js';
import { model, snapshot } from '../../app/fixtures.js';

const data = (models: ReportData['snapshot']['models']) => ({ snapshot: snapshot({ models }) }) as unknown as ReportData;

describe('serverTable', () => {
  it("puts each scraped server's run figures beside duet's client TTFT, and leaves out a model not scraped", () => {
    const server = { t: 9000, url: 'http://h/metrics', run: { scrapes: 3, meanRunning: 20 / 3, meanWaiting: 2, peakKvCachePct: 50, meanTtftMs: 80, meanQueueMs: 25 } };
    const table = serverTable(data({ A: model('A'), B: model('B', { server }) }));
    // The fixture's TTFT run mean is 52 ms.
    expect(table?.rows).toEqual([['B large', '3', '6.7', '2.0', '50.0%', '80 ms', '52 ms', '25 ms']]);
    expect(table?.head).toEqual(['', 'scrapes', 'running', 'waiting', 'KV peak', 'server TTFT', 'duet TTFT', 'server queue']);
  });

  it('is absent when no server was scraped', () => {
    expect(serverTable(data({ A: model('A'), B: model('B') }))).toBeUndefined();
  });
});
