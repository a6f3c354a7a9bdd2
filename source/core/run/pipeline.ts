import type { Clock } from '../clock.js';
import type { ModelSlot } from '../engines/engine.js';
import { errorMessage } from '../errors.js';
import type { RunEvent } from '../events.js';
import type { QueryRecord } from '../query.js';
import type { LoadItem } from '../scheduler/load.js';
import type { Policy } from '../scheduler/policies/index.js';
import type { Timers } from '../scheduler/timers.js';
import { askModel, type AskContext } from './ask.js';
import type { RunOptions, RunQuestion } from './options.js';
import type { PromptPrefetch } from './prompts.js';
import type { Routing } from './routing.js';

export interface PipelineDeps<Q extends RunQuestion> {
  options: RunOptions<Q>;
  routing: Routing;
  clock: Clock;
  timers: Timers;
  emit(event: RunEvent): void;
  prompts: PromptPrefetch<Q>;
  /** True once the run is ending (no more escalations). */
  stopping(): boolean;
  /** Registers a canceller for the run's end; returns its removal. */
  onCancellable(cancel: () => void): () => void;
  /** Every record sent, as it is reported (for the measuring guard's send lag). */
  onRecord?(record: QueryRecord): void;
}

/**
 * One question's path through the run: policy -> prompt -> engine(s) -> answer + score
 * -> record, with cascade's escalation. Resolves with the time the question was
 * completely answered (the closed loop schedules its successor from it).
 */
export class QuestionPipeline<Q extends RunQuestion> {
  private nextSeq = 0;
  /** Measured (non-warm-up) questions answered without error. */
  answered = 0;

  constructor(private readonly deps: PipelineDeps<Q>) {}

  async issue(item: LoadItem<Q>, tScheduled: number): Promise<number> {
    const { clock, routing, emit, options } = this.deps;
    const seq = this.nextSeq++;
    const segment = routing.segment;
    const { policy, targets } = routing.pick(seq, item.question.id);
    emit({ type: 'query-issued', t: clock.now(), seq, questionId: item.question.id, targets, policy: policy.name, segment, warmup: item.warmup, tScheduled });
    const q = item.question;
    const base = { seq, questionId: q.id, question: q.question, gold: q.answers.length > 0 ? q.answers : [''], answerable: !q.isImpossible, policy: policy.name, segment, warmup: item.warmup, tScheduled };
    let context: AskContext;
    const tPrep = clock.now();
    try {
      const { prompt, prepMs } = await this.deps.prompts.get(q);
      const prepared = clock.now();
      context = { ...base, prompt, prepMs, maxNewTokens: options.profile.workload.maxNewTokens, ...(tScheduled > prepared ? { sendAt: tScheduled } : {}) };
    } catch (error) {
      const t = clock.now();
      for (const model of targets) {
        this.report({ ...base, id: `${seq}:${model}`, model, tIssued: tPrep, tEnqueued: t, tDone: t, promptTokens: 0, contextTrimmed: false, outputTokens: 0, error: `prompt: ${errorMessage(error)}` });
      }
      return t;
    }
    const done = await Promise.all(targets.map((model) => this.answer(model, policy, context)));
    return Math.max(...done);
  }

  /** Sends to one model, reports the record, and escalates (cascade) when the policy says so. */
  private async answer(model: ModelSlot, policy: Policy, context: AskContext): Promise<number> {
    const record = await this.ask(model, context);
    const escalate = !this.deps.stopping() && this.deps.routing.shouldEscalate(policy, record);
    if (escalate) record.escalated = true;
    this.report(record);
    if (!escalate) return record.tDone;
    // The large model gets the same prompt (already built); its record is timed from the re-issue.
    this.deps.routing.countEscalation();
    const { sendAt: _sendAt, ...again } = context;
    const final = await this.ask('B', { ...again, tScheduled: record.tDone, prepMs: 0 });
    final.escalated = true;
    this.report(final);
    return final.tDone;
  }

  private async ask(model: ModelSlot, context: AskContext): Promise<QueryRecord> {
    const { options, routing, clock, timers } = this.deps;
    const stats = routing.stats[model];
    stats.sent();
    const timeoutMs = options.profile.models[model === 'A' ? 0 : 1].requestTimeoutMs;
    const record = await askModel(options.engines[model], model, context, timeoutMs, {
      clock,
      timers,
      extractAnswer: options.extractAnswer,
      scoreAnswer: options.scoreAnswer,
      onFirstToken: (t, id) => this.deps.emit({ type: 'first-token', t, id, model }),
      onCancellable: this.deps.onCancellable,
    });
    stats.done(record.error === undefined && record.tStart !== undefined && record.tEnd !== undefined ? record.tEnd - record.tStart : undefined);
    return record;
  }

  private report(record: QueryRecord): void {
    this.deps.onRecord?.(record);
    if (record.error === undefined) {
      if (!record.warmup) this.answered++;
      this.deps.emit({ type: 'query-finished', t: record.tDone, record });
    } else {
      this.deps.emit({ type: 'query-failed', t: record.tDone, record });
    }
  }
}
