import type { RunCommand, RunEvent } from './events.js';
import type { Snapshot } from './metrics/snapshot.js';

/**
 * What a front end (the TUI, the headless printer, replay, a test) holds of a run:
 * it reads snapshots on its own tick, sends commands, and waits for the end.
 * Live runs and replays both implement it, so one screen serves both.
 */
export interface RunHandle {
  snapshot(): Snapshot;
  send(command: RunCommand): void;
  /** Every event as it happens; returns the unsubscribe function. */
  subscribe(listener: (event: RunEvent) => void): () => void;
  readonly finished: Promise<RunOutcome>;
  /** Where the session log is written, if anywhere. */
  readonly logPath?: string;
}

export interface RunOutcome {
  reason: 'finished' | 'quit' | 'signal' | 'error';
  snapshot: Snapshot;
  logPath?: string;
  /** Conventional process exit code for this outcome. */
  exitCode: number;
  detail?: string;
}
