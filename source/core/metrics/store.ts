import type { ModelSlot } from '../engines/engine.js';
import type { LoadSetting, RunEvent } from '../events.js';
import type { QueryRecord } from '../query.js';
import { GroupAccumulator, type MeasuredWindow } from './group.js';
import { latencyValuesOf, meetsSlo, type SloTargets } from './latency-values.js';
import { modelEnergy, combinedEnergy } from './energy-figures.js';
import { IntervalUnion } from './interval-union.js';
import { MeasuringTally } from '../plane/guard.js';
import { PowerTracker } from './power.js';
import { RecentAnswers, SlowestRecords } from './recent.js';
import { SegmentTracker } from './segments.js';
import { ServerViews } from './server-views.js';
import type { ModelFigures, Snapshot } from './snapshot.js';
import { SystemAnswers, isSuperseded } from './system.js';

export interface MetricsOptions {
  slo?: SloTargets;
  /** How many recent answers the snapshot carries (default 20). */
  recentAnswers?: number;
  /** How many slowest records the snapshot carries (default 10). */
  slowest?: number;
  /** Device power when idle (W), measured before the load; enables the dynamic energy figures. */
  idleBaselineW?: number;
}

const SLOTS: readonly ModelSlot[] = ['A', 'B'];
const MAX_WARNINGS = 20;

/** What the store knows of a model beyond its figures. */
type ModelState = Pick<ModelFigures, 'info' | 'state' | 'stateDetail' | 'queueDepth' | 'inFlight' | 'batchSize' | 'replicas'>;

/**
 * The one metrics store: a pure fold over RunEvents. It never reads a clock or polls an
 * engine, so the live run, a replay of the session log and a report compute identical
 * figures from the same events, and snapshot(t) is a function of (events, t).
 *
 * Conventions: warm-up records are excluded from every figure (and from issued/done);
 * the combined (A+B, "system") figures and the segments count each question once, by its
 * SystemAnswer (the routed answer, cascade's final answer, mirror's pair);
 * failed records count as errors or timeouts, never in latency or accuracy; windows are
 * by completion time and end at t, or at the run's end once run-end was seen (so a
 * snapshot taken after the run reads the run as it finished).
 */
export class MetricsStore {
  private readonly slo: SloTargets;
  private readonly groups: Record<ModelSlot | 'combined', GroupAccumulator> = {
    A: new GroupAccumulator(),
    B: new GroupAccumulator(),
    combined: new GroupAccumulator(),
  };
  private readonly models: Record<ModelSlot, ModelState> = { A: placeholderModel('A'), B: placeholderModel('B') };
  private readonly busy: Record<ModelSlot, IntervalUnion> = { A: new IntervalUnion(), B: new IntervalUnion() };
  private readonly segments: SegmentTracker;
  private readonly power = new PowerTracker();
  private readonly recent: RecentAnswers;
  private readonly serverViews = new ServerViews();
  private readonly slowest: SlowestRecords;
  private readonly warnings: string[] = [];
  private readonly measuring = new MeasuringTally();
  private readonly systemAnswers = new SystemAnswers();

  private runStartT?: number;
  private runEndT?: number;
  private measuredStart?: number;
  private policy = '';
  private load: LoadSetting = { mode: 'closed', concurrency: 0 };
  private weight = 0;
  private paused = false;
  private total?: number;
  private issued = 0;
  private done = 0;
  /** Targets still to report, per non-warm-up question in flight: an entry goes once its question is done. */
  private readonly pending = new Map<number, number>();
  /** Highest non-warm-up seq issued: a later record of an issued seq no longer pending belongs to a done question. */
  private highestIssued = -1;
  /** Done questions whose query-issued was never seen (a log without it); empty in a live run. */
  private readonly doneUnissued = new Set<number>();

  constructor(private readonly options: MetricsOptions = {}) {
    this.slo = options.slo ?? {};
    this.segments = new SegmentTracker(this.slo);
    this.recent = new RecentAnswers(options.recentAnswers ?? 20);
    this.slowest = new SlowestRecords(options.slowest ?? 10);
  }

  push(event: RunEvent): void {
    switch (event.type) {
      case 'run-start':
        this.runStartT = event.t;
        this.policy = event.policy;
        this.load = event.load;
        this.weight = event.weight;
        this.total = event.totalQuestions;
        for (const slot of SLOTS) {
          this.models[slot].info = event.models[slot];
          if (this.models[slot].state === 'starting') this.models[slot].state = 'ready';
        }
        this.segments.start(0, event.policy, event.t, { load: event.load, weight: event.weight });
        break;
      case 'query-issued':
        if (event.warmup) break;
        this.measuredStart ??= event.t;
        this.segments.issued(event.seq, event.segment, event.t, event.targets.length, this.issued - this.done);
        this.issued++;
        this.pending.set(event.seq, event.targets.length);
        if (event.seq > this.highestIssued) this.highestIssued = event.seq;
        break;
      case 'query-finished':
        this.onFinished(event.record);
        break;
      case 'query-failed':
        this.onFailed(event.record);
        break;
      case 'engine-load': {
        const model = this.models[event.model];
        model.queueDepth = event.queued;
        model.inFlight = event.running;
        model.batchSize = event.batchSize;
        if (event.replicas) model.replicas = event.replicas;
        break;
      }
      case 'server':
        this.models[event.model].state = event.state;
        this.models[event.model].stateDetail = event.detail;
        break;
      case 'telemetry':
        this.power.addSample(event.sample);
        break;
      case 'server-metrics':
        this.serverViews.push(event);
        break;
      case 'measuring':
        this.measuring.add(event.sample);
        break;
      case 'telemetry-status':
        this.power.setStatus(event.status);
        break;
      case 'policy-switch':
        this.policy = event.to;
        this.segments.start(event.segment, event.to, event.t, { load: this.load, weight: this.weight });
        break;
      case 'load-change':
        this.load = event.load;
        if (event.segment !== undefined) this.segments.start(event.segment, this.policy, event.t, { load: event.load, weight: this.weight, ...(event.probe ? { probe: event.probe } : {}) });
        break;
      case 'weight-change':
        this.weight = event.weight;
        if (event.segment !== undefined) this.segments.start(event.segment, this.policy, event.t, { load: this.load, weight: event.weight });
        break;
      case 'pause':
        this.paused = event.paused;
        break;
      case 'warning':
        this.warnings.push(event.message);
        if (this.warnings.length > MAX_WARNINGS) this.warnings.shift();
        break;
      case 'run-end':
        // Stopping engines and servers (seconds for a launched vLLM) is not part of the run's work.
        this.runEndT = Math.min(event.t, event.workEndT ?? event.t);
        break;
      case 'first-token':
      case 'save':
        break;
    }
  }

  snapshot(t: number): Snapshot {
    const end = this.runEndT === undefined ? t : Math.min(t, this.runEndT);
    const window: MeasuredWindow = { start: this.measuredStart, end };
    const energy = this.power.energyOver(window);
    const busyMs = { A: this.busy.A.coveredMs(window), B: this.busy.B.coveredMs(window) };
    const durationS = window.start === undefined ? 0 : Math.max(0, end - window.start) / 1000;
    const combined = this.groups.combined;
    const combinedFigures = combined.figures(window, combinedEnergy(energy, combined, durationS, this.options.idleBaselineW));
    const models = {} as Record<ModelSlot, ModelFigures>;
    for (const slot of SLOTS) {
      const group = this.groups[slot];
      const model = this.models[slot];
      const server = this.serverViews.figures(slot);
      models[slot] = {
        ...group.figures(window, modelEnergy(energy, slot, busyMs, group, durationS, this.options.idleBaselineW)),
        slot,
        info: model.info,
        state: model.state,
        ...(model.stateDetail === undefined ? {} : { stateDetail: model.stateDetail }),
        queueDepth: model.queueDepth,
        inFlight: model.inFlight,
        batchSize: model.batchSize,
        ...(server ? { server } : {}),
        ...(model.replicas ? { replicas: model.replicas } : {}),
      };
    }
    return {
      t,
      elapsedMs: this.runStartT === undefined ? 0 : Math.max(0, end - this.runStartT),
      measuredMs: durationS * 1000,
      slo: { ...this.slo },
      paused: this.paused,
      policy: this.policy,
      load: this.load,
      weight: this.weight,
      issued: this.issued,
      done: this.done,
      ...(this.total === undefined ? {} : { total: this.total }),
      models,
      combined: combinedFigures,
      segments: this.segments.summaries(window, (from, to) => this.power.meanPowerOver(from, to)),
      power: this.power.view(end, window, energy),
      measuring: this.measuring.figures(),
      recent: this.recent.list(),
      slowest: this.slowest.list(),
      warnings: [...this.warnings],
    };
  }

  private onFinished(record: QueryRecord): void {
    if (record.warmup) return;
    const values = latencyValuesOf(record);
    const metSlo = meetsSlo(values, this.slo);
    this.groups[record.model].addFinished(record, values, metSlo);
    if (record.tStart !== undefined && record.tEnd !== undefined) this.busy[record.model].add(record.tStart, record.tEnd);
    this.segments.addRecord(record, !isSuperseded(record));
    this.recent.add(record);
    this.slowest.add(record);
    this.addToSystem(record);
    this.markReported(record);
  }

  private onFailed(record: QueryRecord): void {
    if (record.warmup) return;
    this.groups[record.model].addFailed(record);
    this.segments.addRecord(record, !isSuperseded(record));
    this.addToSystem(record);
    this.markReported(record);
  }

  /** The system's figures (combined, segments) take each question once, when its answer is known. */
  private addToSystem(record: QueryRecord): void {
    const answer = this.systemAnswers.add(record);
    if (!answer) return;
    if (answer.record.error !== undefined) {
      this.groups.combined.addFailed(answer.record);
    } else {
      const values = latencyValuesOf(answer.record);
      this.groups.combined.addFinished(answer.record, values, meetsSlo(values, this.slo), answer.scored, { input: answer.inputTokens, output: answer.outputTokens });
    }
    this.segments.addAnswer(answer);
  }

  /**
   * A question is done once every model it was sent to has reported (mirror sends it to
   * two). Only questions in flight are remembered, so memory does not grow with the run.
   */
  private markReported(record: QueryRecord): void {
    const seq = record.seq;
    const remaining = this.pending.get(seq);
    if (remaining === undefined) {
      // Done already (e.g. cascade's re-asked record), or issued where this store never saw it.
      if (seq <= this.highestIssued || this.doneUnissued.has(seq)) return;
      this.doneUnissued.add(seq);
      this.done++;
      return;
    }
    if (remaining > 1) {
      this.pending.set(seq, remaining - 1);
      return;
    }
    this.pending.delete(seq);
    this.done++;
  }

  /** Questions still remembered by the done-bookkeeping (in flight, plus any never seen issued): for tests. */
  get trackedQuestions(): number {
    return this.pending.size + this.doneUnissued.size;
  }
}

function placeholderModel(slot: ModelSlot): ModelState {
  return {
    info: { label: slot, backend: 'onnx', model: '', device: '', synthetic: false },
    state: 'starting',
    queueDepth: 0,
    inFlight: 0,
    batchSize: 0,
  };
}
