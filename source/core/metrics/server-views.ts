import type { ModelSlot } from '../engines/engine.js';
import type { RunEvent } from '../events.js';
import type { ServerView } from '../telemetry/server-view.js';
import type { ServerFigures, ServerRunFigures } from './snapshot.js';

type ServerMetricsEvent = Extract<RunEvent, { type: 'server-metrics' }>;

/** Means (and the KV peak) of the figures a server reported over the run, for the report. */
class RunTally {
  scrapes = 0;
  private readonly sums: Partial<Record<keyof ServerView, { total: number; n: number }>> = {};
  private peakKv?: number;

  add(view: ServerView): void {
    this.scrapes++;
    for (const key of ['running', 'waiting', 'kvCachePct', 'ttftMs', 'queueMs'] as const) {
      const value = view[key];
      if (value === undefined) continue;
      const sum = (this.sums[key] ??= { total: 0, n: 0 });
      sum.total += value;
      sum.n++;
    }
    if (view.kvCachePct !== undefined) this.peakKv = Math.max(this.peakKv ?? 0, view.kvCachePct);
  }

  figures(): ServerRunFigures {
    const mean = (key: keyof ServerView) => {
      const sum = this.sums[key];
      return sum && sum.n > 0 ? sum.total / sum.n : undefined;
    };
    const out: ServerRunFigures = { scrapes: this.scrapes };
    const entries: [keyof ServerRunFigures, number | undefined][] = [
      ['meanRunning', mean('running')],
      ['meanWaiting', mean('waiting')],
      ['peakKvCachePct', this.peakKv],
      ['meanTtftMs', mean('ttftMs')],
      ['meanQueueMs', mean('queueMs')],
    ];
    for (const [key, value] of entries) if (value !== undefined) (out as unknown as Record<string, number>)[key] = value;
    return out;
  }
}

/** The latest server view per model (a failed scrape blanks it: a stale queue would read as the present one), and run tallies. */
export class ServerViews {
  private readonly latest: Partial<Record<ModelSlot, Omit<ServerFigures, 'run'>>> = {};
  private readonly tallies: Partial<Record<ModelSlot, RunTally>> = {};

  push(event: ServerMetricsEvent): void {
    this.latest[event.model] = { ...event.view, t: event.t, url: event.url, ...(event.problem ? { problem: event.problem } : {}) };
    if (!event.problem) (this.tallies[event.model] ??= new RunTally()).add(event.view);
  }

  figures(slot: ModelSlot): ServerFigures | undefined {
    const latest = this.latest[slot];
    if (!latest) return undefined;
    const tally = this.tallies[slot];
    return { ...latest, ...(tally ? { run: tally.figures() } : {}) };
  }
}
