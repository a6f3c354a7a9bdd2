import type { StreamDecoderOptions, StreamOutcome } from '../engines/openai/decoder.js';

/**
 * Messages between the main thread and a measuring-plane client worker. Every time in
 * them is already on the run clock: the worker converts its own performance.now() with
 * the offset it is given at start, so the main thread never touches a timestamp.
 */

/** One streamed HTTP request, fully prepared by the engine on the main thread. */
export interface StreamJob {
  id: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  decoder: StreamDecoderOptions;
  timeoutMs: number;
  /** Send no earlier than this (run clock); absent: at once. */
  sendAt?: number;
}

export type JobEnd =
  /** The body was read (to its end, or until `cut` says how the connection broke). */
  | { kind: 'stream'; outcome: StreamOutcome; cut?: string }
  | { kind: 'http'; status: number; contentType: string; body: string }
  | { kind: 'transport'; message: string; code?: string; afterTokens: number }
  | { kind: 'timeout'; afterTokens: number }
  | { kind: 'aborted' };

export interface JobResult {
  id: string;
  /** The request was written (run clock). */
  tSent: number;
  /** Response headers arrived. */
  tHeaders?: number;
  /** Reading ended (last byte read, error or abort). */
  tEnd: number;
  end: JobEnd;
}

/** The measuring thread's own health over the last interval. */
export interface PlaneHealth {
  /** Worker index. */
  worker: number;
  /** Event-loop delay p99 and max over the interval (ms). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Share of the interval the thread was busy (event-loop utilisation, 0-1). */
  utilisation: number;
  /** Requests streaming at the end of the interval. */
  streams: number;
  /** Tokens (content chunks) read in the interval. */
  chunks: number;
  /** Length of the interval (ms). */
  intervalMs: number;
}

export interface WorkerStart {
  index: number;
  /** The main thread's performance.timeOrigin and run-clock offset (clock.now() - performance.now()). */
  mainTimeOrigin: number;
  clockOffset: number;
  healthIntervalMs: number;
}

export type ToClient = { type: 'jobs'; jobs: StreamJob[] } | { type: 'abort'; id: string } | { type: 'stop' };

export type FromClient =
  | { type: 'ready' }
  | { type: 'batch'; firstTokens: Array<{ id: string; t: number }>; results: JobResult[] }
  | { type: 'health'; health: PlaneHealth }
  | { type: 'stopped' };
