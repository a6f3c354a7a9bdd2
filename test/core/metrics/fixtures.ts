import type { EngineInfo, ModelSlot } from '../../../source/core/engines/engine.js';
import type { RunEvent } from '../../../source/core/events.js';
import type { QueryRecord } from '../../../source/core/query.js';

/** Fixture factories for the metrics tests: records with explicit, hand-checkable times. */

export function info(slot: ModelSlot): EngineInfo {
  return { label: slot === 'A' ? 'small' : 'large', backend: 'onnx', model: `demo-${slot}`, device: 'cpu', synthetic: true };
}

export function runStart(t = 0, policy = 'round-robin'): RunEvent {
  return { type: 'run-start', t, wallStart: '2025-01-01T00:00:00.000Z', policy, load: { mode: 'closed', concurrency: 2 }, weight: 0.5, models: { A: info('A'), B: info('B') } };
}

export function issued(seq: number, t: number, targets: ModelSlot[] = ['A'], options: { segment?: number; warmup?: boolean; policy?: string } = {}): RunEvent {
  return { type: 'query-issued', t, seq, questionId: `q${seq}`, targets, policy: options.policy ?? 'round-robin', segment: options.segment ?? 0, warmup: options.warmup ?? false };
}

/**
 * A finished record issued at tIssued with, by default: pre 2 ms, queue 3 ms, first token
 * 20 ms after the issue (ttft 18 ms from the send), 5 tokens 10 ms apart (tpot 10 ms),
 * post 4 ms: e2e = 20 + 40 + 4 = 64 ms.
 */
export function record(seq: number, tIssued: number, overrides: Partial<QueryRecord> = {}): QueryRecord {
  const tEnqueued = tIssued + 2;
  const tStart = tEnqueued + 3;
  const tFirstToken = tIssued + 20;
  const tokenTimes = [0, 10, 20, 30, 40].map((d) => tFirstToken + d);
  const tEnd = tokenTimes[tokenTimes.length - 1]!;
  const model = overrides.model ?? 'A';
  return {
    id: `${seq}:${model}`,
    seq,
    questionId: `q${seq}`,
    question: `question ${seq}?`,
    model,
    policy: 'round-robin',
    segment: 0,
    warmup: false,
    tIssued,
    tEnqueued,
    tStart,
    tFirstToken,
    tEnd,
    tDone: tEnd + 4,
    tokenTimes,
    promptTokens: 100,
    contextTrimmed: false,
    outputTokens: 5,
    prediction: 'Paris',
    gold: ['Paris'],
    answerable: true,
    em: 1,
    f1: 1,
    ...overrides,
  };
}

export function finished(r: QueryRecord): RunEvent {
  return { type: 'query-finished', t: r.tDone, record: r };
}

export function failed(r: QueryRecord): RunEvent {
  return { type: 'query-failed', t: r.tDone, record: r };
}

/** A small seeded generator (mulberry32) so random tests are repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
