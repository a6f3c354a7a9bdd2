import type { QueryRecord } from '../query.js';
import type { LatencyMetric } from './snapshot.js';

export const LATENCY_METRICS: readonly LatencyMetric[] = ['e2e', 'ttft', 'tpot', 'itl', 'queue', 'pre', 'post'];

/**
 * The latency values (ms) one finished record contributes, by metric. A metric whose
 * timestamps are missing is simply absent (never a fake 0):
 *   e2e   tDone - tIssued          ttft  tFirstToken - tIssued
 *   tpot  (tEnd - tFirstToken) / (outputTokens - 1), only when outputTokens > 1
 *   itl   every gap between consecutive tokenTimes (one value per gap)
 *   queue tStart - tEnqueued       pre   tEnqueued - tIssued      post  tDone - tEnd
 */
export function latencyValuesOf(record: QueryRecord): Partial<Record<LatencyMetric, number[]>> {
  const values: Partial<Record<LatencyMetric, number[]>> = {};
  values.e2e = [record.tDone - record.tIssued];
  values.pre = [record.tEnqueued - record.tIssued];
  if (record.tFirstToken !== undefined) values.ttft = [record.tFirstToken - record.tIssued];
  if (record.tFirstToken !== undefined && record.tEnd !== undefined && record.outputTokens > 1) {
    values.tpot = [(record.tEnd - record.tFirstToken) / (record.outputTokens - 1)];
  }
  const tokenTimes = record.tokenTimes;
  if (tokenTimes && tokenTimes.length > 1) {
    const gaps: number[] = [];
    for (let i = 1; i < tokenTimes.length; i++) gaps.push(tokenTimes[i]! - tokenTimes[i - 1]!);
    values.itl = gaps;
  }
  if (record.tStart !== undefined) values.queue = [record.tStart - record.tEnqueued];
  if (record.tEnd !== undefined) values.post = [record.tDone - record.tEnd];
  return values;
}

export interface SloTargets {
  ttftMs?: number;
  tpotMs?: number;
  e2eMs?: number;
}

/**
 * Whether a record meets every configured SLO. An unconfigured SLO is met trivially, and
 * so is one whose metric does not exist for this record (no first token, or a single
 * output token has no TPOT), as vLLM's goodput does.
 */
export function meetsSlo(values: Partial<Record<LatencyMetric, number[]>>, slo: SloTargets): boolean {
  const within = (metric: LatencyMetric, limit: number | undefined) => {
    const value = values[metric]?.[0];
    return limit === undefined || value === undefined || value <= limit;
  };
  return within('e2e', slo.e2eMs) && within('ttft', slo.ttftMs) && within('tpot', slo.tpotMs);
}
