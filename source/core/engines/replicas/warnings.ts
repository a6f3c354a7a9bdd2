import type { Clock } from '../../clock.js';
import type { RunEvent } from '../../events.js';

/**
 * Turns replica state changes into run warnings (shown on screen, kept in the session
 * log), so a report can tell when a replica left and came back. Changes before the run
 * exists (a replica down at start) are held until it connects.
 */
export class ReplicaWarnings {
  private emit?: (event: RunEvent) => void;
  private held: RunEvent[] = [];

  constructor(private readonly clock: Clock) {}

  report(label: string, url: string, state: 'up' | 'down', detail?: string): void {
    const message = state === 'down' ? `model "${label}": replica ${url} taken out${detail ? ` (${detail})` : ''}; probing it with backoff` : `model "${label}": replica ${url} is back in rotation`;
    const event: RunEvent = { type: 'warning', t: this.clock.now(), message };
    if (this.emit) this.emit(event);
    else this.held.push(event);
  }

  connect(emit: (event: RunEvent) => void): void {
    this.emit = emit;
    for (const event of this.held) emit({ ...event, t: Math.max(event.t, this.clock.now()) });
    this.held = [];
  }
}
