import type { ModelSlot } from '../../engines/engine.js';
import type { QueryRecord } from '../../query.js';

/** Where a question goes: one model, or both (mirror). */
export type PolicyTarget = ModelSlot | 'both';

/** What a policy may know about the question being routed. */
export interface PolicyQuery {
  seq: number;
  questionId: string;
  promptTokens?: number;
}

/** One model as the run controller sees it at the moment of a decision. */
export interface ModelView {
  /** Questions sent to this model and not yet finished (queued or computing). */
  outstanding: number;
  /** Requests the engine reports as waiting, not yet computing. */
  queued: number;
  /** Mean service time (tEnd - tStart) of its recent answers, ms; undefined before any. */
  meanServiceMs?: number;
}

/**
 * Everything a policy decides from. The controller builds it fresh for each decision;
 * `sent` counts the questions this policy instance has routed since it became active
 * (or since the weight last changed), so stateful-looking policies stay pure functions.
 */
export interface PolicyState {
  weight: number;
  slo: { ttftMs?: number; tpotMs?: number; e2eMs?: number };
  cascadeThreshold: number;
  models: Record<ModelSlot, ModelView>;
  sent: { A: number; B: number };
}

/** What to do once a model's answer is in (only cascade looks). */
export type ResultAction = 'accept' | 'escalate';

export interface Policy {
  name: string;
  pick(query: PolicyQuery, state: PolicyState): PolicyTarget;
  onResult?(record: QueryRecord, state: PolicyState): ResultAction;
}
