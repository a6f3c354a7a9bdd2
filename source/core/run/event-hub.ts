import type { RunEvent } from '../events.js';
import type { MetricsSink, SessionSink } from './options.js';

/**
 * Where a live run's events go: the metrics store first (so a snapshot taken by a listener
 * already counts the event), then the session log, then every subscriber.
 */
export class EventHub {
  private readonly listeners = new Set<(event: RunEvent) => void>();
  /** Set once the session log is open. */
  log?: SessionSink;

  constructor(private readonly metrics: MetricsSink) {}

  emit = (event: RunEvent): void => {
    this.metrics.push(event);
    this.log?.write(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not stop the run.
      }
    }
  };

  subscribe(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
