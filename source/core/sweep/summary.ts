import { fixed, ms, NA, table } from '../headless/format.js';
import type { SloTargets } from '../metrics/latency-values.js';
import type { PolicySweep } from './driver.js';
import type { ProbeResult } from './probe.js';
import { capacities, formatLoad, formatProportion, paretoSet, recommendation, sloText, type PolicyCapacity } from './results.js';
import type { SweepMode } from './search.js';

/** Everything a sweep concluded: the input to the table, the JSON and the HTML report. */
export interface SweepSummary {
  kind: 'duet-sweep';
  mode: SweepMode;
  slo: SloTargets;
  attainment: number;
  policies: PolicyCapacity[];
  pareto: string[];
  recommendation: string;
  interrupted: boolean;
  logPath?: string;
  /** Wall time the sweep took (ms), when it ran (not when rebuilt from a log). */
  elapsedMs?: number;
  /** True when a model is synthetic: its answers (EM, F1) are not meaningful. */
  synthetic: boolean;
}

export function summarise(sweeps: readonly PolicySweep[], context: Omit<SweepSummary, 'kind' | 'policies' | 'pareto' | 'recommendation'>): SweepSummary {
  const rows = capacities(sweeps, context.mode);
  return { kind: 'duet-sweep', ...context, policies: rows, pareto: paretoSet(rows), recommendation: recommendation(rows, context.slo, context.attainment) };
}

const VERDICT_TEXT = { pass: 'pass', fail: 'FAIL', unresolved: 'unresolved' } as const;

/** One line per probe, as it finishes. */
export function probeLine(probe: ProbeResult, resumed = false): string {
  const parts = [
    `${resumed ? 'resumed ' : ''}${probe.policy} @ ${formatLoad(probe.load, probe.mode)}:`,
    `${VERDICT_TEXT[probe.verdict]}${probe.overSaturated ? ' (over-saturated: the queue grew without bound)' : ''}`,
    `attainment ${formatProportion(probe.attainment)} of ${probe.questions} (target ${fixed(probe.target * 100, 0)}%)`,
    `e2e p50/p99 ${ms(probe.e2eP50)}/${ms(probe.e2eP99)}`,
    `ttft p99 ${ms(probe.ttftP99)}`,
    `goodput ${fixed(probe.goodput)} q/s`,
    `EM ${formatProportion(probe.em)}`,
  ];
  if (probe.joulesPerCorrect !== undefined) parts.push(`${fixed(probe.joulesPerCorrect, 1)} J/correct`);
  return parts.join('  ');
}

/** The table at the end, with the Pareto set and the recommendation under it. */
export function summaryText(summary: SweepSummary): string {
  const unit = summary.mode === 'rate' ? 'q/s' : 'concurrency';
  const rows: string[][] = [['policy', `capacity (${unit})`, 'bracket', 'EM at capacity', 'F1', 'goodput q/s', 'correct on time/s', 'J/correct', 'q/s/W', 'search']];
  for (const row of summary.policies) {
    const at = row.at;
    rows.push([
      `${row.policy}${summary.pareto.includes(row.policy) ? ' *' : ''}`,
      row.capacity === undefined ? NA : String(row.capacity),
      bracket(row),
      at ? formatProportion(at.em) : NA,
      fixed(at?.f1, 1),
      fixed(at?.goodput),
      fixed(at?.correctWithinSloPerSec),
      fixed(at?.joulesPerCorrect, 1),
      fixed(at?.qpsPerW, 3),
      searchText(row),
    ]);
  }
  const lines = [
    '',
    `duet sweep: capacity under ${sloText(summary.slo)} for ${fixed(summary.attainment * 100, 1)}% of questions (${summary.mode} mode)`,
    table(rows),
    '* Pareto set: no other policy has a higher capacity and a higher EM' + (summary.policies.every((r) => r.at === undefined || r.at.joulesPerCorrect !== undefined) && summary.policies.some((r) => r.at?.joulesPerCorrect !== undefined) ? ' and fewer joules per correct answer.' : '.'),
  ];
  if (summary.synthetic) lines.push('EM and F1 come from synthetic-weight models: their timings are real, their answers are not.');
  if (summary.interrupted) lines.push('The sweep was interrupted: searches marked "interrupted" did not finish (duet sweep --resume <log> continues them).');
  lines.push('', summary.recommendation);
  if (summary.logPath) lines.push('', `session log: ${summary.logPath}`);
  return `${lines.join('\n')}\n`;
}

/** "[4.76, 5.19)": the capacity lies at or above the first, below the second. */
export function bracket(row: PolicyCapacity): string {
  if (row.capacity === undefined && row.failedAt === undefined) return NA;
  return `[${row.capacity ?? '<'}, ${row.failedAt ?? '>'})`;
}

/** How the search ended: "bracketed", "unresolved at 2 q/s", "below-min; unresolved at 0.5 q/s", ... */
function searchText(row: PolicyCapacity): string {
  const loads = row.unresolved.map((l) => formatLoad(l, row.mode)).join(', ');
  const end = row.end ?? 'logged';
  const text = row.unresolved.length === 0 ? end : end === 'unresolved' ? `unresolved at ${loads}` : `${end}; unresolved at ${loads}`;
  return `${text} (${row.probes.length} probes)`;
}
