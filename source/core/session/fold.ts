/**
 * Folding a log's events through the metrics store. Replay, report and compare all go
 * through here so they apply the options the live run used (its SLO targets come from
 * the profile in the header) and compute the same figures the run showed.
 */
import type { SloTargets } from '../metrics/latency-values.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { MetricsStore, type MetricsOptions } from '../metrics/store.js';
import type { RunEvent } from '../events.js';
import type { SessionHeader } from './header.js';
import type { SessionLogData } from './reader.js';

/** The store options of the logged run: its SLO targets (from the redacted profile). */
export function metricsOptionsFor(header: SessionHeader): MetricsOptions {
  const profile = header.profile as { slo?: unknown } | null | undefined;
  const slo = profile && typeof profile === 'object' ? profile.slo : undefined;
  if (!slo || typeof slo !== 'object') return {};
  const targets: SloTargets = {};
  for (const key of ['ttftMs', 'tpotMs', 'e2eMs'] as const) {
    const value = (slo as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isFinite(value)) targets[key] = value;
  }
  return { slo: targets };
}

/** A fresh store fed with every event whose t is at most `upTo` (in file order, stopping at the first later one). */
export function storeUpTo(events: readonly RunEvent[], upTo: number, options: MetricsOptions): { store: MetricsStore; fed: number } {
  const store = new MetricsStore(options);
  let fed = 0;
  while (fed < events.length && events[fed]!.t <= upTo) store.push(events[fed++]!);
  return { store, fed };
}

/** Time of the log's last event (its end), or 0 for a log without events. */
export function lastEventTime(events: readonly RunEvent[]): number {
  let last: number | undefined;
  for (const event of events) last = last === undefined ? event.t : Math.max(last, event.t);
  return last ?? 0;
}

/** The run as it finished: every event folded, the snapshot taken at the last event's t. */
export function finalSnapshot(log: Pick<SessionLogData, 'header' | 'events'>, options: MetricsOptions = metricsOptionsFor(log.header)): Snapshot {
  const store = new MetricsStore(options);
  for (const event of log.events) store.push(event);
  return store.snapshot(lastEventTime(log.events));
}
