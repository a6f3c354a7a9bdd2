import type { ModelSlot } from '../engines/engine.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { clock, fixed, ms, NA, percent } from './format.js';

const SLOTS: readonly ModelSlot[] = ['A', 'B'];

/** Compact per-second figures: what --json prints, one object per line. */
export interface StatusJson {
  t: number;
  elapsedMs: number;
  done: number;
  total?: number;
  policy: string;
  paused: boolean;
  models: Record<ModelSlot, { qps?: number; e2eP50?: number; e2eP99?: number; em?: number; queue: number; errors: number }>;
  powerW?: number;
  /** The measuring guard's latest verdict, and how late sends and client stalls were (ms). */
  timing?: { verdict: string; inflationMs: number; reason?: string };
}

export function statusJson(snapshot: Snapshot): StatusJson {
  const models = {} as StatusJson['models'];
  const latest = snapshot.measuring.latest;
  for (const slot of SLOTS) {
    const m = snapshot.models[slot];
    const e2e = m.latency.e2e.last10s;
    models[slot] = { qps: m.throughput.qps10s, e2eP50: e2e.p50, e2eP99: e2e.p99, em: m.accuracy.em.value, queue: m.queueDepth, errors: m.errors + m.timeouts };
  }
  return {
    t: snapshot.t,
    elapsedMs: snapshot.elapsedMs,
    done: snapshot.done,
    ...(snapshot.total === undefined ? {} : { total: snapshot.total }),
    policy: snapshot.policy,
    paused: snapshot.paused,
    models,
    ...(snapshot.power.powerW === undefined ? {} : { powerW: snapshot.power.powerW }),
    ...(latest ? { timing: { verdict: latest.verdict, inflationMs: latest.inflationMs, ...(latest.reason ? { reason: latest.reason } : {}) } } : {}),
  };
}

/**
 * One status line: elapsed, done/total, then per model q/s (last 10 s), p50/p99 E2E
 * (last 10 s), EM (run) and engine queue, then device power when known.
 */
export function statusLine(snapshot: Snapshot): string {
  const status = statusJson(snapshot);
  const parts = [`${clock(status.elapsedMs)}  ${status.done}/${status.total ?? '?'} ${status.policy}${status.paused ? ' (paused)' : ''}`];
  for (const slot of SLOTS) {
    const m = status.models[slot];
    parts.push(`${slot} ${fixed(m.qps)} q/s p50 ${ms(m.e2eP50)} p99 ${ms(m.e2eP99)} EM ${percent(m.em)} q ${m.queue}${m.errors ? ` err ${m.errors}` : ''}`);
  }
  parts.push(status.powerW === undefined ? `${NA} W` : `${status.powerW.toFixed(1)} W`);
  // Only a tripped guard takes room on the line: a figure taken now may be inflated.
  if (status.timing && status.timing.verdict !== 'ok') parts.push(`timing ${status.timing.verdict === 'bound' ? 'CLIENT-BOUND' : 'strained'}: ${status.timing.reason}`);
  return parts.join(' | ');
}
