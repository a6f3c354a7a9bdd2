import type { EngineInfo, ModelSlot } from './engines/engine.js';
import type { ReplicaStats } from './engines/replicas/replica.js';
import type { QueryRecord } from './query.js';
import type { MeasuringSample } from './plane/guard.js';
import type { TelemetrySample, TelemetryStatus } from './telemetry/sample.js';
import type { ServerView } from './telemetry/server-view.js';

export type LoadSetting = { mode: 'closed'; concurrency: number } | { mode: 'open'; rate: number };

/**
 * A sweep probe's measured window, carried by the load change that starts its segment:
 * the segment's first `skip` questions are warm-up, the next `count` are measured, later
 * ones are cool-down (they keep the load on while the measured ones finish). `attainment`
 * is the SLO attainment the probe is judged against, so a log describes its own sweep.
 */
export interface ProbeWindow {
  skip: number;
  count: number;
  attainment: number;
}

export type ServerState = 'starting' | 'ready' | 'exited' | 'down' | 'stopped';

/**
 * The one typed event union the core emits. The metrics store, the session log and the
 * UI all consume it; everything on screen can be rebuilt from a stream of these.
 * `t` is the run clock (ms).
 */
export type RunEvent =
  | {
      type: 'run-start';
      t: number;
      wallStart: string;
      /** performance.timeOrigin-style epoch (ms, sub-ms precision) of the run clock's zero: t + clockOrigin is wall time. */
      clockOrigin?: number;
      policy: string;
      load: LoadSetting;
      weight: number;
      models: Record<ModelSlot, EngineInfo>;
      totalQuestions?: number;
    }
  | { type: 'query-issued'; t: number; seq: number; questionId: string; targets: ModelSlot[]; policy: string; segment: number; warmup: boolean; tScheduled?: number }
  | { type: 'first-token'; t: number; id: string; model: ModelSlot }
  | { type: 'query-finished'; t: number; record: QueryRecord }
  | { type: 'query-failed'; t: number; record: QueryRecord }
  /** Engine queue and batch state, sampled about once a second per model. */
  | { type: 'engine-load'; t: number; model: ModelSlot; queued: number; running: number; batchSize: number; replicas?: ReplicaStats[] }
  | { type: 'telemetry'; t: number; sample: TelemetrySample }
  /** The measuring guard, once a second: how loaded the threads that take the timings were. */
  | { type: 'measuring'; t: number; sample: MeasuringSample }
  | { type: 'telemetry-status'; t: number; status: TelemetryStatus }
  /** The server's own view of its load (its /metrics), about every 2 s per HTTP model; `problem` when the scrape failed. */
  | { type: 'server-metrics'; t: number; model: ModelSlot; url: string; view: ServerView; problem?: string }
  | { type: 'policy-switch'; t: number; from: string; to: string; segment: number }
  /** `segment`: the segment this change starts (absent in logs from before load changes started segments). */
  | { type: 'load-change'; t: number; load: LoadSetting; segment?: number; probe?: ProbeWindow }
  | { type: 'weight-change'; t: number; weight: number; segment?: number }
  | { type: 'pause'; t: number; paused: boolean }
  | { type: 'save'; t: number; path: string }
  | { type: 'server'; t: number; model: ModelSlot; state: ServerState; detail?: string }
  | { type: 'warning'; t: number; message: string }
  /** workEndT: when the last question was answered or cancelled, before engines and servers were stopped (the measured window ends there). */
  | { type: 'run-end'; t: number; reason: 'finished' | 'quit' | 'signal' | 'error'; detail?: string; workEndT?: number };

export type RunEventType = RunEvent['type'];

/** Commands the UI (or a test) sends to the run controller. */
export type RunCommand =
  | { type: 'setPolicy'; policy: string }
  | { type: 'setLoad'; load: LoadSetting; probe?: ProbeWindow }
  | { type: 'adjustLoad'; direction: 1 | -1 }
  | { type: 'setWeight'; weight: number }
  | { type: 'adjustWeight'; direction: 1 | -1 }
  | { type: 'pause'; paused?: boolean }
  | { type: 'save' }
  /** Replay only: move the playhead. */
  | { type: 'seek'; deltaMs: number }
  /** Replay only: to the start of the next (1) or this/the previous (-1) segment. */
  | { type: 'seekSegment'; direction: 1 | -1 }
  /** `signal`: Ctrl-C in the live screen (raw mode turns it into a key), which ends the run as SIGINT does (exit 130). */
  | { type: 'quit'; signal?: 'SIGINT' };
