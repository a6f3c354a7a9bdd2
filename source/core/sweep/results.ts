import type { SloTargets } from '../metrics/latency-values.js';
import type { Proportion } from '../metrics/snapshot.js';
import type { PolicySweep } from './driver.js';
import type { ProbeResult } from './probe.js';
import type { SearchResult, SweepMode } from './search.js';

/** One policy's answer: its capacity under the SLO and what it delivers there. */
export interface PolicyCapacity {
  policy: string;
  mode: SweepMode;
  /** Highest load that passed below every failing one; undefined when none passed. */
  capacity?: number;
  /** Lowest failing load: the capacity lies in [capacity, failedAt). */
  failedAt?: number;
  unresolved: number[];
  end?: SearchResult['end'];
  /** The passing probe at the capacity, whose figures the row shows. */
  at?: ProbeResult;
  probes: ProbeResult[];
}

export function capacities(sweeps: readonly PolicySweep[], mode: SweepMode): PolicyCapacity[] {
  return sweeps.map(({ policy, probes, search }) => {
    const at = search.low === undefined ? undefined : probes.find((p) => p.load === search.low && p.verdict === 'pass');
    return {
      policy,
      mode,
      ...(search.low === undefined ? {} : { capacity: search.low }),
      ...(search.high === undefined ? {} : { failedAt: search.high }),
      unresolved: search.unresolved,
      ...(search.end ? { end: search.end } : {}),
      ...(at ? { at } : {}),
      probes,
    };
  });
}

/**
 * The policies no other beats on every axis at once: capacity (higher), EM at capacity
 * (higher) and, when every candidate has it, joules per correct answer (lower).
 * Policies without a capacity are not candidates.
 */
export function paretoSet(rows: readonly PolicyCapacity[]): string[] {
  const candidates = rows.filter((r) => r.capacity !== undefined && r.at?.em.value !== undefined);
  const withEnergy = candidates.every((r) => r.at!.joulesPerCorrect !== undefined);
  const axes = (r: PolicyCapacity) => [r.capacity!, r.at!.em.value!, ...(withEnergy ? [-r.at!.joulesPerCorrect!] : [])];
  return candidates
    .filter((r) => {
      const mine = axes(r);
      return !candidates.some((other) => {
        if (other === r) return false;
        const theirs = axes(other);
        return theirs.every((v, i) => v >= mine[i]!) && theirs.some((v, i) => v > mine[i]!);
      });
    })
    .map((r) => r.policy);
}

/**
 * One plain sentence: the SLO, then the Pareto policy serving the most and, when another
 * Pareto policy is more accurate, what it serves at what EM.
 */
export function recommendation(rows: readonly PolicyCapacity[], slo: SloTargets, attainment: number): string {
  const condition = `at ${sloText(slo)} for ${formatPercent(attainment * 100)} of questions`;
  const pareto = new Set(paretoSet(rows));
  const front = rows.filter((r) => pareto.has(r.policy));
  if (front.length === 0) {
    const tried = rows.flatMap((r) => r.probes.map((p) => p.load));
    return tried.length === 0 ? 'No probe ran, so there is nothing to recommend.' : `No policy met the SLO ${condition} at any load tried (lowest ${formatLoad(Math.min(...tried), rows[0]!.mode)}).`;
  }
  const byCapacity = [...front].sort((a, b) => b.capacity! - a.capacity!);
  const fastest = byCapacity[0]!;
  const accurate = [...front].sort((a, b) => b.at!.em.value! - a.at!.em.value!)[0]!;
  const serves = (r: PolicyCapacity) => {
    const rate = r.mode === 'concurrency' && r.at!.throughput !== undefined ? ` (${formatLoad(r.at!.throughput, 'rate')})` : '';
    return `${r.policy} serves ${formatLoad(r.capacity!, r.mode)}${rate} at EM ${formatProportion(r.at!.em)}`;
  };
  if (accurate === fastest) return `${capitalise(condition)}, ${serves(fastest)}: no policy tried serves more or answers better, so deploy it up to that load.`;
  return `${capitalise(condition)}, ${serves(fastest)}; ${serves(accurate)}: choose ${fastest.policy} for load, ${accurate.policy} for accuracy.`;
}

export function sloText(slo: SloTargets): string {
  const parts = [
    slo.ttftMs === undefined ? undefined : `TTFT <= ${formatMs(slo.ttftMs)}`,
    slo.tpotMs === undefined ? undefined : `TPOT <= ${formatMs(slo.tpotMs)}`,
    slo.e2eMs === undefined ? undefined : `e2e <= ${formatMs(slo.e2eMs)}`,
  ].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? 'no latency SLO' : parts.join(', ');
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toPrecision(3))} s` : `${Number(ms.toPrecision(3))} ms`;
}

export function formatLoad(load: number, mode: SweepMode): string {
  return mode === 'rate' ? `${Number(load.toPrecision(3))} q/s` : `concurrency ${load}`;
}

export function formatPercent(value: number): string {
  return `${Number(value.toFixed(value >= 99.5 && value < 100 ? 1 : 0))}%`;
}

/** "71% [68-74]", or "n/a" with nothing to show. */
export function formatProportion(p: Proportion): string {
  if (p.value === undefined) return 'n/a';
  return `${p.value.toFixed(0)}% [${p.low!.toFixed(0)}-${p.high!.toFixed(0)}]`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
