import type { Clock } from '../clock.js';
import type { ChatMessage, Engine, EngineInfo, ModelSlot } from '../engines/engine.js';
import type { RunEvent } from '../events.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { MeasuringPlane } from '../plane/plane.js';
import type { Profile } from '../profile/schema.js';
import type { Random } from '../scheduler/random.js';
import type { Timers } from '../scheduler/timers.js';

/** What the controller needs of a question (SquadQuestion has all of it). */
export interface RunQuestion {
  id: string;
  question: string;
  /** Gold answer texts; [] for unanswerable. */
  answers: string[];
  isImpossible: boolean;
}

/** What the controller needs of a built prompt (the prompt builder's BuiltPrompt has all of it). */
export interface RunPrompt {
  messages: ChatMessage[];
  promptText: string;
  promptIds: number[];
  promptTokens: number;
  contextTrimmed: boolean;
}

/** The metrics store as the controller uses it: fed every event, asked for snapshots. */
export interface MetricsSink {
  push(event: RunEvent): void;
  snapshot(t: number): Snapshot;
}

/** The session log as the controller uses it (session/writer.ts's SessionLog). */
export interface SessionSink {
  readonly path: string;
  write(event: RunEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface TelemetryHandle {
  stop(): Promise<void>;
}

export interface RunOptions<Q extends RunQuestion = RunQuestion> {
  /** Workload, scheduler, SLO and per-model settings (requestTimeoutMs) come from here. */
  profile: Profile;
  /** Constructed, not yet started: the controller starts and stops them. */
  engines: Record<ModelSlot, Engine>;
  questions: readonly Q[];
  buildPrompt(question: Q): RunPrompt | Promise<RunPrompt>;
  extractAnswer(raw: string): string;
  scoreAnswer(prediction: string, gold: string[]): { em: number; f1: number };
  metrics: MetricsSink;
  clock?: Clock;
  timers?: Timers;
  /** Arrivals and shuffling; default: seeded from profile.workload.seed. */
  random?: Random;
  /** Wall clock for run-start's wallStart. */
  wallClock?: () => Date;
  /** Starts power/utilisation sampling; its events go through `emit`. */
  startTelemetry?: (emit: (event: RunEvent) => void) => Promise<TelemetryHandle>;
  /** Opens the session log once the engines are up (so the header knows the models). */
  openLog?: (context: { models: Record<ModelSlot, EngineInfo>; wallStart: string; warn: (message: string) => void }) => Promise<SessionSink | undefined>;
  /** Called right after run-start with the run's emit, for event sources outside the pipeline (server launchers). */
  onRunStart?: (emit: (event: RunEvent) => void) => void;
  /** How often each model's queue/batch state is sampled (default 1000 ms). */
  engineLoadIntervalMs?: number;
  /** How long questions in flight may finish after quit or the duration's end (default 3000 ms). */
  quitGraceMs?: number;
  /** Answers per model averaged for the policies' service-time estimate (default 20). */
  serviceWindow?: number;
  /** Turns the measuring guard on: a judged 'measuring' event per interval (the plane is the one HTTP engines stream on). */
  measuring?: { plane?: MeasuringPlane; intervalMs?: number };
  /** Open loop: release each question this long before it is due, so its prompt is ready (default 0). */
  leadMs?: number;
}
