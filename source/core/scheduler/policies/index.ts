import { UserError } from '../../errors.js';
import { cascade } from './cascade.js';
import { largeOnly } from './large-only.js';
import { mirror } from './mirror.js';
import type { Policy } from './policy.js';
import { roundRobin } from './round-robin.js';
import { shortestQueue } from './shortest-queue.js';
import { slo } from './slo.js';
import { smallOnly } from './small-only.js';
import { weighted } from './weighted.js';

export type { ModelView, Policy, PolicyQuery, PolicyState, PolicyTarget, ResultAction } from './policy.js';

/** Every policy, in the order of the TUI's keys 1..8. */
export const policies: readonly Policy[] = [roundRobin, shortestQueue, weighted, smallOnly, largeOnly, mirror, slo, cascade];

export function findPolicy(name: string): Policy | undefined {
  return policies.find((policy) => policy.name === name);
}

export function policyByName(name: string, what = '--policy'): Policy {
  const policy = findPolicy(name);
  if (!policy) throw new UserError(`${what}: unknown policy "${name}"; expected one of ${policies.map((p) => p.name).join(', ')}`);
  return policy;
}
