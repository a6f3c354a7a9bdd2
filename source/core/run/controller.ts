import { systemClock, type Clock } from '../clock.js';
import type { RunHandle, RunOutcome } from '../controller.js';
import { parseDuration } from '../duration.js';
import { errorMessage } from '../errors.js';
import type { EngineInfo, ModelSlot } from '../engines/engine.js';
import type { LoadSetting, ProbeWindow, RunCommand, RunEvent } from '../events.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { QueryRecord } from '../query.js';
import { LoadGenerator, type LoadItem } from '../scheduler/load.js';
import { orderQuestions } from '../scheduler/order.js';
import type { Policy } from '../scheduler/policies/index.js';
import { createRandom } from '../scheduler/random.js';
import { delay, systemTimers, type TimerHandle, type Timers } from '../scheduler/timers.js';
import { adjustedLoad, adjustedWeight, clampWeight } from './adjust.js';
import { Routing } from './routing.js';
import { askModel, type AskContext } from './ask.js';
import { SLOTS } from './model-stats.js';
import type { RunOptions, RunQuestion, SessionSink, TelemetryHandle } from './options.js';

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
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private readonly generator: LoadGenerator<Q>;
  private readonly cancellers = new Set<() => void>();
  private readonly totalQuestions: number;
  private readonly routing: Routing;
  private nextSeq = 0;
  private answered = 0;
  private stopping = false;
  private log?: SessionSink;
  private telemetry?: TelemetryHandle;
  private loadTimer?: TimerHandle;
  private ending?: Promise<RunOutcome>;
  private resolveFinished!: (outcome: RunOutcome) => void;
  readonly finished: Promise<RunOutcome>;

  constructor(private readonly options: RunOptions<Q>) {
    const { workload } = options.profile;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.routing = new Routing(options.profile, options.engines, options.serviceWindow ?? 20);
    const random = options.random ?? createRandom(workload.seed);
    const order = orderQuestions(options.questions, { shuffle: workload.shuffle, random, warmup: workload.warmup, limit: workload.limit, repeat: workload.repeat });
    this.totalQuestions = order.measured.length;
    const load: LoadSetting = workload.load.mode === 'closed' ? { mode: 'closed', concurrency: workload.load.concurrency } : { mode: 'open', rate: workload.load.rate };
    this.generator = new LoadGenerator<Q>({
      order,
      load,
      burstiness: workload.load.mode === 'open' ? workload.load.burstiness : 1,
      durationMs: workload.duration === undefined ? undefined : parseDuration(workload.duration, 'workload.duration'),
      random,
      clock: this.clock,
      timers: this.timers,
      issue: (item) => this.issue(item),
    });
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get logPath(): string | undefined {
    return this.log?.path;
  }

  async begin(): Promise<void> {
    const models = { A: this.options.engines.A.info(), B: this.options.engines.B.info() } as Record<ModelSlot, EngineInfo>;
    const wallStart = (this.options.wallClock?.() ?? new Date()).toISOString();
    const warn = (message: string) => this.emit({ type: 'warning', t: this.clock.now(), message });
    this.log = await this.options.openLog?.({ models, wallStart, warn });
    this.emit({ type: 'run-start', t: this.clock.now(), wallStart, policy: this.routing.policy.name, load: this.generator.load, weight: this.routing.weight, models, totalQuestions: this.totalQuestions });
    this.options.onRunStart?.((event) => this.emit(event));
    if (this.options.startTelemetry) {
      try {
        this.telemetry = await this.options.startTelemetry((event) => this.emit(event));
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
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
        return this.emit({ type: 'pause', t, paused });
      }
      case 'save':
        return void this.save();
      case 'seek':
        return;
      case 'quit':
        return void this.end('quit');
    }
  }

  end(reason: 'quit' | 'signal' | 'error', detail?: string): Promise<RunOutcome> {
    return this.finish(reason, detail);
  }

  private setPolicy(name: string): void {
    const change = this.routing.switchTo(name);
    if (change === 'unknown') return this.emit({ type: 'warning', t: this.clock.now(), message: `unknown policy "${name}"` });
    if (change) this.emit({ type: 'policy-switch', t: this.clock.now(), ...change });
  }

  private setLoad(load: LoadSetting, probe?: ProbeWindow): void {
    const valid = load.mode === 'closed' ? Number.isInteger(load.concurrency) && load.concurrency >= 1 : Number.isFinite(load.rate) && load.rate > 0;
    if (!valid) return this.emit({ type: 'warning', t: this.clock.now(), message: `ignored an invalid load setting ${JSON.stringify(load)}` });
    this.generator.setLoad(load);
    this.emit({ type: 'load-change', t: this.clock.now(), load, segment: this.routing.nextSegment(), ...(probe ? { probe } : {}) });
  }

  private setWeight(weight: number): void {
    const segment = this.routing.setWeight(weight);
    if (segment !== undefined) this.emit({ type: 'weight-change', t: this.clock.now(), weight, segment });
  }

  private async save(): Promise<void> {
    if (!this.log) return this.emit({ type: 'warning', t: this.clock.now(), message: 'no session log to save (--no-log)' });
    this.emit({ type: 'save', t: this.clock.now(), path: this.log.path });
    await this.log.flush();
  }

  private emit(event: RunEvent): void {
    this.options.metrics.push(event);
    this.log?.write(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not stop the run.
      }
    }
  }

  /** One question, start to end: resolves once every model it went to has answered (or failed). */
  private async issue(item: LoadItem<Q>): Promise<void> {
    const seq = this.nextSeq++;
    const tIssued = this.clock.now();
    const segment = this.routing.segment;
    const { policy, targets } = this.routing.pick(seq, item.question.id);
    this.emit({ type: 'query-issued', t: tIssued, seq, questionId: item.question.id, targets, policy: policy.name, segment, warmup: item.warmup });
    const q = item.question;
    const base = { seq, questionId: q.id, question: q.question, gold: q.answers.length > 0 ? q.answers : [''], answerable: !q.isImpossible, policy: policy.name, segment, warmup: item.warmup, tIssued };
    let context: AskContext;
    try {
      const prompt = await this.options.buildPrompt(q);
      context = { ...base, prompt, tEnqueued: this.clock.now(), maxNewTokens: this.options.profile.workload.maxNewTokens };
    } catch (error) {
      const empty = { messages: [], promptText: '', promptIds: [], promptTokens: 0, contextTrimmed: false };
      for (const model of targets) {
        const t = this.clock.now();
        this.emit({ type: 'query-failed', t, record: { ...base, id: `${seq}:${model}`, model, tEnqueued: t, tDone: t, promptTokens: empty.promptTokens, contextTrimmed: false, outputTokens: 0, error: `prompt: ${errorMessage(error)}` } });
      }
      return;
    }
    await Promise.all(targets.map((model) => this.answer(model, policy, context)));
  }

  /** Sends to one model, reports the record, and escalates (cascade) when the policy says so. */
  private async answer(model: ModelSlot, policy: Policy, context: AskContext): Promise<void> {
    const record = await this.ask(model, context);
    const escalate = !this.stopping && this.routing.shouldEscalate(policy, record);
    if (escalate) record.escalated = true;
    this.report(record);
    if (!escalate) return;
    // The large model gets the same prompt; its record is timed from the re-issue.
    const t = this.clock.now();
    this.routing.countEscalation();
    const final = await this.ask('B', { ...context, tIssued: t, tEnqueued: t });
    final.escalated = true;
    this.report(final);
  }

  private async ask(model: ModelSlot, context: AskContext): Promise<QueryRecord> {
    const stats = this.routing.stats[model];
    stats.sent();
    const timeoutMs = this.options.profile.models[model === 'A' ? 0 : 1].requestTimeoutMs;
    const record = await askModel(this.options.engines[model], model, context, timeoutMs, {
      clock: this.clock,
      timers: this.timers,
      extractAnswer: this.options.extractAnswer,
      scoreAnswer: this.options.scoreAnswer,
      onFirstToken: (t, id) => this.emit({ type: 'first-token', t, id, model }),
      onCancellable: (cancel) => {
        this.cancellers.add(cancel);
        return () => this.cancellers.delete(cancel);
      },
    });
    stats.done(record.error === undefined && record.tStart !== undefined && record.tEnd !== undefined ? record.tEnd - record.tStart : undefined);
    return record;
  }

  private report(record: QueryRecord): void {
    if (record.error === undefined) {
      if (!record.warmup) this.answered++;
      this.emit({ type: 'query-finished', t: record.tDone, record });
    } else {
      this.emit({ type: 'query-failed', t: record.tDone, record });
    }
  }

  private sampleEngineLoad(): void {
    const interval = this.options.engineLoadIntervalMs ?? 1000;
    this.loadTimer = this.timers.setTimeout(() => {
      const t = this.clock.now();
      for (const model of SLOTS) this.emit({ type: 'engine-load', t, model, ...this.options.engines[model].load() });
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
      if (this.loadTimer !== undefined) this.timers.clearTimeout(this.loadTimer);
      await this.shutDown();
      let exitCode = exitCodes[reason];
      if (reason === 'finished' && this.answered === 0) {
        exitCode = 1;
        detail ??= 'no question was answered';
      }
      this.emit({ type: 'run-end', t: this.clock.now(), reason, ...(detail === undefined ? {} : { detail }) });
      await this.log?.close();
      const outcome: RunOutcome = { reason, snapshot: this.snapshot(), exitCode, ...(this.log ? { logPath: this.log.path } : {}), ...(detail === undefined ? {} : { detail }) };
      this.resolveFinished(outcome);
      return outcome;
    })();
    return this.ending;
  }

  private async shutDown(): Promise<void> {
    const warn = (what: string, error: unknown) => this.emit({ type: 'warning', t: this.clock.now(), message: `${what}: ${errorMessage(error)}` });
    if (this.telemetry) await this.telemetry.stop().catch((error: unknown) => warn('telemetry stop', error));
    await Promise.all(SLOTS.map((slot) => this.options.engines[slot].stop().catch((error: unknown) => warn(`model ${slot} stop`, error))));
  }
}
