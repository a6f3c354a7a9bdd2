import type { Engine, ModelSlot } from '../engines/engine.js';
import type { Profile } from '../profile/schema.js';
import type { QueryRecord } from '../query.js';
import { findPolicy, policyByName, type Policy, type PolicyState, type PolicyTarget } from '../scheduler/policies/index.js';
import { clampWeight } from './adjust.js';
import { ModelStats } from './model-stats.js';

/**
 * The scheduler's side of a run: the active policy and the current segment (a policy,
 * load or weight change starts the next), the weight, what the
 * policy has routed since it (or the weight) last changed, and each model's outstanding
 * count and recent service times, from which every decision's PolicyState is built.
 */
export class Routing {
  private active: Policy;
  private segmentIndex = 0;
  private currentWeight: number;
  private sent = { A: 0, B: 0 };
  readonly stats: Record<ModelSlot, ModelStats>;

  constructor(
    private readonly profile: Profile,
    private readonly engines: Record<ModelSlot, Engine>,
    serviceWindow: number,
  ) {
    this.active = policyByName(profile.scheduler.policy, 'scheduler.policy');
    this.currentWeight = clampWeight(profile.scheduler.weight);
    this.stats = { A: new ModelStats(serviceWindow), B: new ModelStats(serviceWindow) };
  }

  get policy(): Policy {
    return this.active;
  }
  get segment(): number {
    return this.segmentIndex;
  }
  get weight(): number {
    return this.currentWeight;
  }

  /** Switches policy, starting a new segment; 'unknown' for a bad name, undefined when unchanged. */
  switchTo(name: string): { from: string; to: string; segment: number } | 'unknown' | undefined {
    const next = findPolicy(name);
    if (!next) return 'unknown';
    if (next === this.active) return undefined;
    const from = this.active.name;
    this.active = next;
    this.segmentIndex++;
    this.sent = { A: 0, B: 0 };
    return { from, to: next.name, segment: this.segmentIndex };
  }

  /** Starts the next segment (a load change): its figures are the new setting's. */
  nextSegment(): number {
    return ++this.segmentIndex;
  }

  /** The segment the new weight starts, or undefined when unchanged. */
  setWeight(weight: number): number | undefined {
    if (weight === this.currentWeight) return undefined;
    this.currentWeight = weight;
    this.sent = { A: 0, B: 0 };
    return this.nextSegment();
  }

  /** Asks the active policy where a question goes and counts it as sent there. */
  pick(seq: number, questionId: string): { policy: Policy; targets: ModelSlot[] } {
    const policy = this.active;
    const picked: PolicyTarget = policy.pick({ seq, questionId }, this.state());
    const targets: ModelSlot[] = picked === 'both' ? ['A', 'B'] : [picked];
    for (const slot of targets) this.sent[slot]++;
    return { policy, targets };
  }

  /** Cascade's question: escalate this answer? (Asked of the policy that issued it.) */
  shouldEscalate(policy: Policy, record: QueryRecord): boolean {
    return record.model === 'A' && policy.onResult?.(record, this.state()) === 'escalate';
  }

  countEscalation(): void {
    this.sent.B++;
  }

  state(): PolicyState {
    const { scheduler, slo } = this.profile;
    return {
      weight: this.currentWeight,
      slo,
      cascadeThreshold: scheduler.cascadeThreshold,
      models: { A: this.stats.A.view(this.engines.A.load().queued), B: this.stats.B.view(this.engines.B.load().queued) },
      sent: { ...this.sent },
    };
  }
}
