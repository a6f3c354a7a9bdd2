import { HeldEvents } from '../../run/held-events.js';

/**
 * Turns replica state changes into run warnings (shown on screen, kept in the session
 * log), so a report can tell when a replica left and came back. Changes before the run
 * exists (a replica down at start) are held until it connects.
 */
export class ReplicaWarnings extends HeldEvents {
  report(label: string, url: string, state: 'up' | 'down', detail?: string): void {
    const message = state === 'down' ? `model "${label}": replica ${url} taken out${detail ? ` (${detail})` : ''}; probing it with backoff` : `model "${label}": replica ${url} is back in rotation`;
    this.send({ type: 'warning', t: this.clock.now(), message });
  }
}
