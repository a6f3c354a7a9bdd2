import type { EngineInfo, ModelSlot } from '../engines/engine.js';
import type { ReplicaStats } from '../engines/replicas/replica.js';
import type { LoadSetting, ServerState } from '../events.js';
import type { MeasuringFigures } from '../plane/guard.js';
import type { QueryRecord } from '../query.js';
import type { HistogramCounts, HistogramName } from './buckets.js';
import type { SloTargets } from './latency-values.js';
import type { DeviceReading, TelemetryStatus } from '../telemetry/sample.js';
import type { ServerView } from '../telemetry/server-view.js';

/**
 * What the UI, the headless printer, replay and reports render. Produced by the metrics
 * store's snapshot(); plain data (JSON-serialisable), no methods.
 * Every figure is undefined when there is nothing to compute it from (never a fake 0).
 */

/** See metrics/latency-values.ts for how each is measured; *Sched are from the scheduled time. */
export type LatencyMetric = 'e2e' | 'ttft' | 'tpot' | 'itl' | 'queue' | 'pre' | 'post' | 'lag' | 'e2eSched' | 'ttftSched';

export interface LatencyStats {
  count: number;
  mean?: number;
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

export interface HistogramBin {
  fromMs: number;
  toMs: number;
  count: number;
}

export interface LatencyView {
  last10s: LatencyStats;
  last60s: LatencyStats;
  run: LatencyStats;
  /** Bins of the last 10 s (fixed log bins, metrics/log-bins.ts), for the live histogram. */
  bins10s: HistogramBin[];
  /** p50 and p99 over time: the 10 s window ending every stepMs over the last 60 s, oldest first, the last one ending at t. */
  trend: LatencyTrend;
}

export interface LatencyTrend {
  stepMs: number;
  /** null where the window held no value. */
  p50: (number | null)[];
  p99: (number | null)[];
}

export interface Proportion {
  /** Percent (0-100). */
  value?: number;
  /** Wilson 95% interval, percent. */
  low?: number;
  high?: number;
  n: number;
}

export interface AccuracyFigures {
  em: Proportion;
  /** Mean F1, percent. */
  f1?: number;
  hasAns: { em: Proportion; f1?: number };
  noAns: { em: Proportion; f1?: number };
}

export interface ThroughputFigures {
  /** Queries finished per second. */
  qps10s?: number;
  qps60s?: number;
  qpsRun?: number;
  tokensPerSec10s?: number;
  tokensPerSecRun?: number;
  /** Queries/s meeting every SLO (run). */
  goodput?: number;
  /** Correct (EM) and on-time answers per second (run). */
  correctOnTimePerSec?: number;
  /** One value per second for the last 60 s, oldest first. */
  qpsSeries: number[];
  tokensPerSecSeries: number[];
}

export interface EnergyFigures {
  /** Device energy in joules within the measured window; undefined without a power source. */
  joules?: number;
  /** True when a shared device's energy was split by busy time. */
  estimated: boolean;
  meanPowerW?: number;
  qpsPerW?: number;
  joulesPerQuery?: number;
  joulesPerCorrect?: number;
  tokensPerJoule?: number;
  /** Share (0-1) of the measured window the power readings cover; joules are scaled up from it when < 1. */
  coveredFraction?: number;
  /** Energy above the idle baseline (MetricsOptions.idleBaselineW), when one was measured. */
  dynamicJoules?: number;
  dynamicJoulesPerQuery?: number;
}

export interface GroupFigures {
  /** Non-warm-up records finished (a mirrored question gives one record per model). */
  completed: number;
  /** Failed records that neither timed out nor were cancelled (errors, timeouts and cancelled are disjoint). */
  errors: number;
  /** Of the errors, those the server refused or dropped for load (429, 503, token timeouts): overload, not a fault. */
  overloaded?: number;
  timeouts: number;
  /** Requests cancelled because the run ended (quit or signal): not errors, not in any latency figure. */
  cancelled: number;
  /** Prompt and output tokens of the completions counted (a system answer: of every request made for it). */
  inputTokens: number;
  outputTokens: number;
  /** Completions meeting every SLO, and exact (EM) answers among those scored: the counts behind goodput and EM. */
  onTime: number;
  exact: number;
  /** Run-long Prometheus-style bucket counts (seconds; tokens), see metrics/buckets.ts. */
  histograms: Record<HistogramName, HistogramCounts>;
  latency: Record<LatencyMetric, LatencyView>;
  throughput: ThroughputFigures;
  accuracy: AccuracyFigures;
  energy: EnergyFigures;
}

export interface ModelFigures extends GroupFigures {
  slot: ModelSlot;
  info: EngineInfo;
  state: ServerState;
  stateDetail?: string;
  queueDepth: number;
  inFlight: number;
  batchSize: number;
  /** The server's own view of its load (its /metrics), when it is scraped. */
  server?: ServerFigures;
  /** Health, outstanding requests, latency and errors per endpoint, for a model served by replicas. */
  replicas?: ReplicaStats[];
}

/** The latest scrape of a server's /metrics: when, from where, what it said (or why it could not be read). */
export interface ServerFigures extends ServerView {
  t: number;
  url: string;
  problem?: string;
  /** Over every scrape that answered during the run (for reports). */
  run?: ServerRunFigures;
}

export interface ServerRunFigures {
  scrapes: number;
  meanRunning?: number;
  meanWaiting?: number;
  peakKvCachePct?: number;
  /** Mean of the per-interval server-side means. */
  meanTtftMs?: number;
  meanQueueMs?: number;
}

/**
 * A sweep probe's steady-state window (see ProbeWindow): counts of measured questions,
 * each judged from its issue to its final answer. Times are on the run clock (ms).
 */
export interface ProbeWindowFigures {
  skip: number;
  count: number;
  attainment: number;
  /** Measured questions issued, done (every final answer in), and done with a failure. */
  issued: number;
  done: number;
  failed: number;
  /** Done questions that met every SLO; answered correctly (EM); both. */
  withinSlo: number;
  correct: number;
  correctWithinSlo: number;
  /** Mean F1 (percent) over answered questions. */
  f1?: number;
  e2eP50?: number;
  e2eP99?: number;
  ttftP50?: number;
  ttftP99?: number;
  tFirstIssue?: number;
  tLastIssue?: number;
  tLastDone?: number;
  /** Issue time of the first question after the measured ones (a cool-down question). */
  tNextIssue?: number;
  /** Growth of the run's backlog (issued - done) across the measured issues, questions/s (least squares). */
  backlogSlope?: number;
  backlogFirst: number;
  backlogLast: number;
  /** Mean device power over first measured issue .. last measured answer. */
  meanPowerW?: number;
}

export interface SegmentSummary {
  index: number;
  policy: string;
  /** The load and weight the segment ran at (absent in summaries of older logs' segments). */
  load?: LoadSetting;
  weight?: number;
  /** Set on a sweep probe's segment. */
  probe?: ProbeWindowFigures;
  tStart: number;
  tEnd?: number;
  completed: number;
  e2eP50?: number;
  e2eP99?: number;
  qps?: number;
  em?: number;
  /** Mean device power and energy over the segment's part of the measured window (warm-up before it excluded; edges interpolated). */
  meanPowerW?: number;
  joules?: number;
  /** Share of queries escalated (cascade policy). */
  escalationRate?: number;
  /** Cascade: EM points the escalation bought (the large model's hits minus the small model's on the escalated questions, over all questions). */
  emBought?: number;
  /** Each model's own records in the segment, with 95% intervals (the A/B panel's rows). */
  models?: Record<ModelSlot, SegmentModelFigures>;
}

/** A figure with its 95% interval; a missing bound is open (too few values to set it). */
export interface Estimate {
  value: number;
  low?: number;
  high?: number;
}

export interface SegmentModelFigures {
  completed: number;
  failed: number;
  e2eP50?: Estimate;
  e2eP99?: Estimate;
  qps?: Estimate;
  em?: Proportion;
}

export interface PowerView {
  status: TelemetryStatus[];
  devices: DeviceReading[];
  /** Total device power now (sum over devices with a reading). */
  powerW?: number;
  /** One value per sample for the last 60 s, oldest first. */
  powerSeries: number[];
  joules?: number;
  samples: number;
  intervalMs?: number;
  source?: string;
}

export interface RecentAnswer {
  seq: number;
  model: ModelSlot;
  question: string;
  prediction: string;
  gold: string[];
  hit: boolean;
  e2eMs: number;
}

export interface Snapshot {
  t: number;
  elapsedMs: number;
  /** Length of the measured window (first measured question issued to now or the run's end); 0 before it opens. */
  measuredMs: number;
  /** The SLOs goodput counts against (empty when none is set). */
  slo: SloTargets;
  paused: boolean;
  policy: string;
  load: LoadSetting;
  weight: number;
  issued: number;
  done: number;
  total?: number;
  models: Record<ModelSlot, ModelFigures>;
  combined: GroupFigures;
  segments: SegmentSummary[];
  power: PowerView;
  /** The measuring guard: was the client fast enough for these figures? */
  measuring: MeasuringFigures;
  recent: RecentAnswer[];
  slowest: QueryRecord[];
  warnings: string[];
}
