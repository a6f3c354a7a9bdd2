import { systemClock, type Clock } from '../clock.js';
import type { RunHandle, RunOutcome } from '../controller.js';
import { parseDuration } from '../duration.js';
import { errorMessage } from '../errors.js';
import type { EngineInfo, ModelSlot } from '../engines/engine.js';
import type { LoadSetting, ProbeWindow, RunCommand, RunEvent } from '../events.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { LoadGenerator } from '../scheduler/load.js';
import { orderQuestions } from '../scheduler/order.js';
import { createRandom } from '../scheduler/random.js';
import { delay, systemTimers, type TimerHandle, type Timers } from '../scheduler/timers.js';
import { adjustedLoad, adjustedWeight, clampWeight } from './adjust.js';
import { EventHub } from './event-hub.js';
import { startMeasuringGuard, type MeasuringGuard } from './measuring.js';
import { SLOTS } from './model-stats.js';
import type { RunOptions, RunQuestion, TelemetryHandle } from './options.js';
import { QuestionPipeline } from './pipeline.js';
import { PromptPrefetch } from './prompts.js';
import { Routing } from './routing.js';

export type { MetricsSink, RunOptions, RunPrompt, RunQuestion, SessionSink, TelemetryHandle } from './options.js';

/** A live run: the RunHandle front ends hold, plus an explicit end with a reason (signals). */
export interface RunController extends RunHandle {
  /** Ends the run like the quit command, recording `reason`; resolves with the outcome. */
  end(reason: 'quit' | 'signal' | 'error', detail?: string): Promise<RunOutcome>;
}

const exitCodes: Record<RunOutcome['reason'], number> = { finished: 0, quit: 0, signal: 130, error: 1 };

/**
 * Starts both engines, opens the session log, and drives the pipeline
 * issue -> policy -> prompt -> engine -> answer + score -> record, emitting every RunEvent
 * into the metrics store, the log and subscribers. Rejects only when an engine cannot start.
 */
export async function startRun<Q extends RunQuestion>(options: RunOptions<Q>): Promise<RunController> {
  const startResults = await Promise.allSettled(SLOTS.map((slot) => options.engines[slot].start()));
  const failed = startResults.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(SLOTS.map((slot) => options.engines[slot].stop()));
    throw failed.reason;
  }
  try {
    const run = new LiveRun(options);
    await run.begin();
    return run;
  } catch (error) {
    // E.g. the session log cannot be opened: leave no engine (or server) running.
    await Promise.allSettled(SLOTS.map((slot) => options.engines[slot].stop()));
    throw error;
  }
}

class LiveRun<Q extends RunQuestion> implements RunController {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly hub: EventHub;
  private readonly generator: LoadGenerator<Q>;
  private readonly pipeline: QuestionPipeline<Q>;
  private readonly prompts: PromptPrefetch<Q>;
  private readonly cancellers = new Set<() => void>();
  private readonly totalQuestions: number;
  private readonly routing: Routing;
  private stopping = false;
  private telemetry?: TelemetryHandle;
  private guard?: MeasuringGuard;
  private loadTimer?: TimerHandle;
  private ending?: Promise<RunOutcome>;
  private resolveFinished!: (outcome: RunOutcome) => void;
  readonly finished: Promise<RunOutcome>;

  constructor(private readonly options: RunOptions<Q>) {
    const { workload } = options.profile;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.hub = new EventHub(options.metrics);
    this.routing = new Routing(options.profile, options.engines, options.serviceWindow ?? 20);
    this.prompts = new PromptPrefetch<Q>((q) => options.buildPrompt(q), this.clock);
    this.pipeline = new QuestionPipeline<Q>({
      options,
      prompts: this.prompts,
      routing: this.routing,
      clock: this.clock,
      timers: this.timers,
      emit: this.hub.emit,
      stopping: () => this.stopping,
      onCancellable: (cancel) => {
        this.cancellers.add(cancel);
        return () => this.cancellers.delete(cancel);
      },
      onRecord: (record) => this.guard?.noteRecord(record),
    });
    const random = options.random ?? createRandom(workload.seed);
    const order = orderQuestions(options.questions, { shuffle: workload.shuffle, random, warmup: workload.warmup, limit: workload.limit, repeat: workload.repeat });
    this.totalQuestions = order.measured.length;
    const load: LoadSetting = workload.load.mode === 'closed' ? { mode: 'closed', concurrency: workload.load.concurrency } : { mode: 'open', rate: workload.load.rate };
    this.generator = new LoadGenerator<Q>({
      order,
      load,
      burstiness: workload.load.mode === 'open' ? workload.load.burstiness : 1,
      ...(workload.load.mode === 'open' && workload.load.maxConcurrency !== undefined ? { maxConcurrency: workload.load.maxConcurrency } : {}),
      durationMs: workload.duration === undefined ? undefined : parseDuration(workload.duration, 'workload.duration'),
      random,
      clock: this.clock,
      timers: this.timers,
      ...(options.leadMs !== undefined ? { leadMs: options.leadMs } : {}),
      issue: (item, tScheduled) => {
        const answered = this.pipeline.issue(item, tScheduled);
        this.prompts.plan(this.generator.peek(this.promptsAhead()));
        return answered;
      },
    });
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  /** Prompts to keep built ahead: what the load can release before the next one is asked for. */
  private promptsAhead(): number {
    const load = this.generator.load;
    return Math.min(64, 4 + (load.mode === 'closed' ? load.concurrency : Math.ceil(load.rate)));
  }

  get logPath(): string | undefined {
    return this.hub.log?.path;
  }

  async begin(): Promise<void> {
    const models = { A: this.options.engines.A.info(), B: this.options.engines.B.info() } as Record<ModelSlot, EngineInfo>;
    const wallStart = (this.options.wallClock?.() ?? new Date()).toISOString();
    const emit = this.hub.emit;
    const warn = (message: string) => emit({ type: 'warning', t: this.clock.now(), message });
    this.hub.log = await this.options.openLog?.({ models, wallStart, warn });
    emit({ type: 'run-start', t: this.clock.now(), wallStart, clockOrigin: performance.timeOrigin + (performance.now() - this.clock.now()), policy: this.routing.policy.name, load: this.generator.load, weight: this.routing.weight, models, totalQuestions: this.totalQuestions });
    this.options.onRunStart?.(emit);
    if (this.options.measuring) this.guard = startMeasuringGuard({ clock: this.clock, emit, ...this.options.measuring });
    if (this.options.startTelemetry) {
      try {
        this.telemetry = await this.options.startTelemetry(emit);
      } catch (error) {
        warn(`telemetry did not start: ${errorMessage(error)}`);
      }
    }
    this.sampleEngineLoad();
    void this.generator.issuingEnded.then((reason) => {
      if (reason === 'duration') void this.finish('finished', 'duration reached');
    });
    void this.generator.drained.then(() => this.finish('finished'));
    this.generator.start();
  }

  snapshot(): Snapshot {
    return this.options.metrics.snapshot(this.clock.now());
  }

  subscribe(listener: (event: RunEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }

  send(command: RunCommand): void {
    if (this.stopping && command.type !== 'quit' && command.type !== 'save') return;
    const t = this.clock.now();
    switch (command.type) {
      case 'setPolicy':
        return this.setPolicy(command.policy);
      case 'setLoad':
        return this.setLoad(command.load, command.probe);
      case 'adjustLoad':
        return this.setLoad(adjustedLoad(this.generator.load, command.direction));
      case 'setWeight':
        return this.setWeight(clampWeight(command.weight));
      case 'adjustWeight':
        return this.setWeight(adjustedWeight(this.routing.weight, command.direction));
      case 'pause': {
        const paused = command.paused ?? !this.generator.paused;
        if (paused === this.generator.paused) return;
        this.generator.setPaused(paused);
        return this.hub.emit({ type: 'pause', t, paused });
      }
      case 'save':
        return void this.save();
      case 'seek':
        return;
      case 'quit':
        return void (command.signal ? this.end('signal', command.signal) : this.end('quit'));
    }
  }

  end(reason: 'quit' | 'signal' | 'error', detail?: string): Promise<RunOutcome> {
    return this.finish(reason, detail);
  }

  private setPolicy(name: string): void {
    const change = this.routing.switchTo(name);
    if (change === 'unknown') return this.hub.emit({ type: 'warning', t: this.clock.now(), message: `unknown policy "${name}"` });
    if (change) this.hub.emit({ type: 'policy-switch', t: this.clock.now(), ...change });
  }

  private setLoad(load: LoadSetting, probe?: ProbeWindow): void {
    const valid = load.mode === 'closed' ? Number.isInteger(load.concurrency) && load.concurrency >= 1 : Number.isFinite(load.rate) && load.rate > 0;
    if (!valid) return this.hub.emit({ type: 'warning', t: this.clock.now(), message: `ignored an invalid load setting ${JSON.stringify(load)}` });
    this.generator.setLoad(load);
    this.hub.emit({ type: 'load-change', t: this.clock.now(), load, segment: this.routing.nextSegment(), ...(probe ? { probe } : {}) });
  }

  private setWeight(weight: number): void {
    const segment = this.routing.setWeight(weight);
    if (segment !== undefined) this.hub.emit({ type: 'weight-change', t: this.clock.now(), weight, segment });
  }

  private async save(): Promise<void> {
    const log = this.hub.log;
    if (!log) return this.hub.emit({ type: 'warning', t: this.clock.now(), message: 'no session log to save (--no-log)' });
    this.hub.emit({ type: 'save', t: this.clock.now(), path: log.path });
    await log.flush();
  }

  private sampleEngineLoad(): void {
    const interval = this.options.engineLoadIntervalMs ?? 1000;
    this.loadTimer = this.timers.setTimeout(() => {
      const t = this.clock.now();
      for (const model of SLOTS) this.hub.emit({ type: 'engine-load', t, model, ...this.options.engines[model].load() });
      this.sampleEngineLoad();
    }, interval);
  }

  /** Stops issuing, lets answers in flight finish within the grace period, cancels the rest, shuts down. */
  private finish(reason: RunOutcome['reason'], detail?: string): Promise<RunOutcome> {
    this.ending ??= (async () => {
      this.stopping = true;
      this.generator.stop();
      const grace = new AbortController();
      await Promise.race([this.generator.drained, delay(this.timers, this.options.quitGraceMs ?? 3000, grace.signal)]);
      grace.abort();
      for (const cancel of [...this.cancellers]) cancel();
      await this.generator.drained;
      const workEndT = this.clock.now();
      if (this.loadTimer !== undefined) this.timers.clearTimeout(this.loadTimer);
      this.guard?.stop();
      await this.shutDown();
      let exitCode = exitCodes[reason];
      if (reason === 'finished' && this.pipeline.answered === 0) {
        exitCode = 1;
        detail ??= 'no question was answered';
      }
      this.hub.emit({ type: 'run-end', t: this.clock.now(), reason, workEndT, ...(detail === undefined ? {} : { detail }) });
      await this.hub.log?.close();
      const logPath = this.hub.log?.path;
      const outcome: RunOutcome = { reason, snapshot: this.snapshot(), exitCode, ...(logPath ? { logPath } : {}), ...(detail === undefined ? {} : { detail }) };
      this.resolveFinished(outcome);
      return outcome;
    })();
    return this.ending;
  }

  private async shutDown(): Promise<void> {
    const warn = (what: string, error: unknown) => this.hub.emit({ type: 'warning', t: this.clock.now(), message: `${what}: ${errorMessage(error)}` });
    if (this.telemetry) await this.telemetry.stop().catch((error: unknown) => warn('telemetry stop', error));
    await Promise.all(SLOTS.map((slot) => this.options.engines[slot].stop().catch((error: unknown) => warn(`model ${slot} stop`, error))));
  }
}
