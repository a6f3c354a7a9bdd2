import type { Clock } from '../clock.js';
import type { RunEvent } from '../events.js';

/**
 * Events that can happen before the run exists (a server starting, a replica down at
 * start) are held and replayed once the run connects, then forwarded as they happen.
 * Held events are re-stamped no earlier than the connection, so the log stays in time order.
 */
export class HeldEvents {
  private emit?: (event: RunEvent) => void;
  private held: RunEvent[] = [];

  constructor(protected readonly clock: Clock) {}

  protected send(event: RunEvent): void {
    if (this.emit) this.emit(event);
    else this.held.push(event);
  }

  connect(emit: (event: RunEvent) => void): void {
    this.emit = emit;
    for (const event of this.held) emit({ ...event, t: Math.max(event.t, this.clock.now()) });
    this.held = [];
  }
}
