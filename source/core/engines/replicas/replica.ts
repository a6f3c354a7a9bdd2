import type { TimerHandle } from '../../scheduler/timers.js';
import type { Engine } from '../engine.js';

/** What the pool tells about one replica (plain data, for the exporter and the UI). */
export interface ReplicaStats {
  /** The replica's base URL (one of the model's `endpoints`). */
  url: string;
  state: 'up' | 'down';
  /** Requests sent to it and not yet ended. */
  outstanding: number;
  /** Requests sent to it in all (answered, failed or aborted). */
  requests: number;
  /** Requests that ended in an answer. */
  answered: number;
  /** Requests that failed (any reason); connection errors are a subset. */
  errors: number;
  connectionErrors: number;
  /** Mean end-to-end latency of its answers (ms). */
  meanLatencyMs?: number;
  lastError?: string;
  /** Times it was taken out. */
  downCount: number;
  /** Health probes sent while it was out. */
  probes: number;
}

export interface BackoffOptions {
  /** First probe this long after the replica is taken out (ms). */
  initialMs: number;
  /** Probes back off by doubling up to this (ms). */
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/** The delay before probe number `attempt` (0-based): initial * 2^attempt, capped. */
export function backoffDelay(attempt: number, backoff: BackoffOptions): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
}

/**
 * Failures that say the replica itself is gone (refused, reset, closed mid-stream) rather
 * than that one request went wrong (HTTP 4xx/5xx, a timeout on a slow answer). Matched on
 * the OpenAI engine's error text, which names the socket error code.
 */
const connectionFailure = /request failed|cannot reach|stream cut mid-answer|empty stream|ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|UND_ERR_SOCKET|other side closed|socket hang up/i;

export function isConnectionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return connectionFailure.test(message);
}

/** One replica: its engine, its health and its counters. */
export class Replica {
  state: 'up' | 'down' = 'up';
  outstanding = 0;
  requests = 0;
  answered = 0;
  errors = 0;
  connectionErrors = 0;
  downCount = 0;
  probes = 0;
  /** Consecutive failed probes since it was taken out (drives the backoff). */
  failedProbes = 0;
  started = false;
  lastError?: string;
  probeTimer?: TimerHandle;
  private latencySumMs = 0;

  constructor(
    readonly url: string,
    readonly engine: Engine,
  ) {}

  recordAnswer(latencyMs: number): void {
    this.answered++;
    this.latencySumMs += latencyMs;
  }

  stats(): ReplicaStats {
    return {
      url: this.url,
      state: this.state,
      outstanding: this.outstanding,
      requests: this.requests,
      answered: this.answered,
      errors: this.errors,
      connectionErrors: this.connectionErrors,
      ...(this.answered > 0 ? { meanLatencyMs: this.latencySumMs / this.answered } : {}),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      downCount: this.downCount,
      probes: this.probes,
    };
  }
}
