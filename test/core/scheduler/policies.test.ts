import { describe, expect, it } from 'vitest';
import type { QueryRecord } from '../../../source/core/query.js';
import { findPolicy, policies, policyByName, type PolicyState, type PolicyTarget } from '../../../source/core/scheduler/policies/index.js';
import { policyNames } from '../../../source/core/profile/schema.js';

function state(overrides: Partial<PolicyState> = {}): PolicyState {
  return {
    weight: 0.5,
    slo: {},
    cascadeThreshold: -1.5,
    models: { A: { outstanding: 0, queued: 0 }, B: { outstanding: 0, queued: 0 } },
    sent: { A: 0, B: 0 },
    ...overrides,
  };
}

/** Routes n questions through a policy, updating `sent` as the controller does. */
function route(name: string, n: number, base: Partial<PolicyState> = {}): PolicyTarget[] {
  const policy = policyByName(name);
  const s = state(base);
  const out: PolicyTarget[] = [];
  for (let seq = 0; seq < n; seq++) {
    const target = policy.pick({ seq, questionId: `q${seq}` }, s);
    out.push(target);
    if (target !== 'B') s.sent.A++;
    if (target !== 'A') s.sent.B++;
  }
  return out;
}

const record = (overrides: Partial<QueryRecord>): QueryRecord => ({
  id: '0:A', seq: 0, questionId: 'q', model: 'A', policy: 'cascade', segment: 0, warmup: false,
  tIssued: 0, tEnqueued: 0, tDone: 10, promptTokens: 10, contextTrimmed: false, outputTokens: 3, prediction: 'Paris', ...overrides,
});

describe('policy registry', () => {
  it('lists the eight policies in the order of the keys 1..8, matching the profile schema', () => {
    expect(policies.map((p) => p.name)).toEqual([...policyNames]);
  });
  it('names the flag and the choices for an unknown policy', () => {
    expect(findPolicy('fastest')).toBeUndefined();
    expect(() => policyByName('fastest')).toThrow(/--policy: unknown policy "fastest"; expected one of round-robin, shortest-queue/);
  });
});

describe('policies route as specified', () => {
  it('round-robin alternates starting with A', () => {
    expect(route('round-robin', 5)).toEqual(['A', 'B', 'A', 'B', 'A']);
  });

  it('weighted spreads the share evenly and deterministically', () => {
    expect(route('weighted', 8, { weight: 0.25 })).toEqual(['B', 'A', 'B', 'B', 'B', 'A', 'B', 'B']);
    expect(route('weighted', 4, { weight: 0.5 })).toEqual(['A', 'B', 'A', 'B']);
    expect(route('weighted', 3, { weight: 0 })).toEqual(['B', 'B', 'B']);
    expect(route('weighted', 3, { weight: 1 })).toEqual(['A', 'A', 'A']);
    const tenth = route('weighted', 1000, { weight: 0.1 });
    expect(tenth.filter((t) => t === 'A')).toHaveLength(100);
  });

  it('small-only, large-only and mirror', () => {
    expect(route('small-only', 2)).toEqual(['A', 'A']);
    expect(route('large-only', 2)).toEqual(['B', 'B']);
    expect(route('mirror', 2)).toEqual(['both', 'both']);
  });

  it('shortest-queue picks the least expected wait, not the shortest queue', () => {
    const pick = (models: PolicyState['models']) => policyByName('shortest-queue').pick({ seq: 0, questionId: 'q' }, state({ models }));
    // A: 3 x 100 = 300 ms, B: 2 x 400 = 800 ms -> A despite the longer queue.
    expect(pick({ A: { outstanding: 3, queued: 2, meanServiceMs: 100 }, B: { outstanding: 2, queued: 1, meanServiceMs: 400 } })).toBe('A');
    // A: 5 x 100 = 500 ms, B: 1 x 400 = 400 ms -> B.
    expect(pick({ A: { outstanding: 5, queued: 4, meanServiceMs: 100 }, B: { outstanding: 1, queued: 0, meanServiceMs: 400 } })).toBe('B');
    // No history for B: it borrows A's mean, so 2 x 100 vs 1 x 100 -> B.
    expect(pick({ A: { outstanding: 2, queued: 1, meanServiceMs: 100 }, B: { outstanding: 1, queued: 0 } })).toBe('B');
    expect(pick({ A: { outstanding: 0, queued: 0 }, B: { outstanding: 0, queued: 0 } })).toBe('A');
  });

  it('slo keeps B until its predicted latency breaks the SLO', () => {
    const pick = (queued: number, e2eMs?: number) =>
      policyByName('slo').pick({ seq: 0, questionId: 'q' }, state({ slo: { e2eMs }, models: { A: { outstanding: 0, queued: 0, meanServiceMs: 50 }, B: { outstanding: queued + 1, queued, meanServiceMs: 300 } } }));
    expect(pick(2, 1000)).toBe('B'); // (2 + 1) x 300 = 900 <= 1000
    expect(pick(3, 1000)).toBe('A'); // (3 + 1) x 300 = 1200 > 1000
    expect(pick(50)).toBe('B'); // no SLO: always B
  });

  it('cascade sends to A and escalates abstentions, failures and low-confidence answers only', () => {
    const cascade = policyByName('cascade');
    const s = state({ cascadeThreshold: -1.5 });
    expect(cascade.pick({ seq: 0, questionId: 'q' }, s)).toBe('A');
    expect(cascade.onResult!(record({ prediction: '' }), s)).toBe('escalate');
    expect(cascade.onResult!(record({ error: 'boom', prediction: undefined }), s)).toBe('escalate');
    expect(cascade.onResult!(record({ meanLogProb: -2 }), s)).toBe('escalate');
    expect(cascade.onResult!(record({ meanLogProb: -1 }), s)).toBe('accept');
    expect(cascade.onResult!(record({}), s)).toBe('accept');
    expect(cascade.onResult!(record({ model: 'B', prediction: '' }), s)).toBe('accept');
  });
});
