import { fixed, ms, percent } from '../../headless/format.js';
import type { ReportData } from './data.js';
import type { Table } from './tables.js';

/**
 * The servers' own view over the run (their /metrics), beside duet's client-side TTFT: when
 * the server's queue time makes up most of the TTFT duet saw, the queue was the cost.
 * Undefined when no server was scraped.
 */
export function serverTable(data: ReportData): Table | undefined {
  const rows: string[][] = [];
  for (const slot of ['A', 'B'] as const) {
    const model = data.snapshot.models[slot];
    const run = model.server?.run;
    if (!run) continue;
    rows.push([
      `${slot} ${model.info.label}`,
      String(run.scrapes),
      fixed(run.meanRunning, 1),
      fixed(run.meanWaiting, 1),
      percent(run.peakKvCachePct),
      ms(run.meanTtftMs),
      ms(model.latency.ttft.run.mean),
      ms(run.meanQueueMs),
    ]);
  }
  if (rows.length === 0) return undefined;
  return {
    id: 'server',
    title: "The servers' own view",
    note: "Means over the run's scrapes of each server's /metrics (running and waiting requests; its TTFT and queue time are means per scrape interval), the KV cache's peak, and duet's client-side mean TTFT beside the server's.",
    head: ['', 'scrapes', 'running', 'waiting', 'KV peak', 'server TTFT', 'duet TTFT', 'server queue'],
    rows,
  };
}
