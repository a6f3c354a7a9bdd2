import { HeldEvents } from '../run/held-events.js';

/**
 * Warnings an engine raises about what it serves (a tokenizer that does not match the served
 * model), shown on screen and kept in the session log; held until the run connects.
 */
export class EngineWarnings extends HeldEvents {
  warn(message: string): void {
    this.send({ type: 'warning', t: this.clock.now(), message });
  }
}
