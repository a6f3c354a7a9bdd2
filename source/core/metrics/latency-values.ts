import type { QueryRecord } from '../query.js';
import type { LatencyMetric } from './snapshot.js';

export const LATENCY_METRICS: readonly LatencyMetric[] = ['e2e', 'ttft', 'tpot', 'itl', 'queue', 'pre', 'post', 'lag', 'e2eSched', 'ttftSched'];

/**
 * The latency values (ms) one finished record contributes, by metric. A metric whose
 * timestamps are missing is simply absent (never a fake 0):
 *   e2e   tDone - tIssued          (preprocessing, queue, inference and postprocessing)
 *   ttft  tFirstToken - tEnqueued  (from the send, as the server sees it; first token of any kind)
 *   tpot  (tEnd - tFirstToken) / (outputTokens - 1), only when outputTokens > 1
 *   itl   every gap between consecutive token-carrying chunks; a chunk that carried k
 *         tokens (per-chunk usage) gives k values of gap / k, so there is one ITL per
 *         token after the first and a packed chunk does not read as one long gap
 *   queue tStart - tEnqueued       pre   tEnqueued - tIssued      post  tDone - tEnd
 *   lag   tEnqueued - tScheduled   (send lag: how late the client sent it; >= 0)
 *   e2eSched, ttftSched            e2e and ttft plus the send lag: from the scheduled time,
 *                                  MLPerf LoadGen's rule, so a late client cannot hide latency
 */
export function latencyValuesOf(record: QueryRecord): Partial<Record<LatencyMetric, number[]>> {
  const values: Partial<Record<LatencyMetric, number[]>> = {};
  const e2e = record.tDone - record.tIssued;
  values.e2e = [e2e];
  values.pre = [record.tEnqueued - record.tIssued];
  const lag = record.tScheduled === undefined ? undefined : Math.max(0, record.tEnqueued - record.tScheduled);
  if (lag !== undefined) {
    values.lag = [lag];
    values.e2eSched = [e2e + lag];
  }
  if (record.tFirstToken !== undefined) {
    const ttft = record.tFirstToken - record.tEnqueued;
    values.ttft = [ttft];
    if (lag !== undefined) values.ttftSched = [ttft + lag];
  }
  if (record.tFirstToken !== undefined && record.tEnd !== undefined && record.outputTokens > 1) {
    values.tpot = [(record.tEnd - record.tFirstToken) / (record.outputTokens - 1)];
  }
  const tokenTimes = record.tokenTimes;
  if (tokenTimes && tokenTimes.length > 1) {
    const packed = record.chunkTokens;
    const gaps: number[] = [];
    for (let i = 1; i < tokenTimes.length; i++) {
      const gap = tokenTimes[i]! - tokenTimes[i - 1]!;
      const tokens = packed?.[i] ?? 1;
      for (let k = 0; k < tokens; k++) gaps.push(gap / tokens);
    }
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
