import type { RunOutcome } from '../controller.js';
import type { GroupFigures, Snapshot } from '../metrics/snapshot.js';
import { guardLine } from '../plane/guard.js';
import { resultsOf } from '../results/flat.js';
import { fixed, ms, percent, table } from './format.js';

export const SYNTHETIC_NOTE = 'synthetic weights: timings are real, answers are not';

interface Row {
  name: string;
  group: GroupFigures;
}

function rowsOf(snapshot: Snapshot): Row[] {
  const { A, B } = snapshot.models;
  return [
    { name: `A ${A.info.label}`, group: A },
    { name: `B ${B.info.label}`, group: B },
    { name: 'A+B', group: snapshot.combined },
  ];
}

/**
 * The end-of-run summary: the study's table (mean latency, q/s, EM, q/s per W) plus
 * p50/p90/p99 end-to-end latency, goodput, errors (timeouts included) and requests
 * cancelled at the end; then the notes that qualify it. The A+B row is the system's: one
 * per question (see SystemAnswer), so its `done` plus errors and cancelled is the
 * question count of the first line.
 */
export function summaryText(outcome: RunOutcome): string {
  const snapshot = outcome.snapshot;
  const header = ['', 'done', 'mean E2E', 'q/s', 'EM', 'q/s/W', 'p50', 'p90', 'p99', 'goodput', 'errors', 'cancelled'];
  const body = rowsOf(snapshot).map(({ name, group }) => {
    const e2e = group.latency.e2e.run;
    return [
      name,
      String(group.completed),
      ms(e2e.mean),
      fixed(group.throughput.qpsRun),
      percent(group.accuracy.em.value),
      fixed(group.energy.qpsPerW, 3),
      ms(e2e.p50),
      ms(e2e.p90),
      ms(e2e.p99),
      fixed(group.throughput.goodput),
      String(group.errors + group.timeouts),
      String(group.cancelled),
    ];
  });
  const lines = [`duet: run ${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ''} after ${(snapshot.elapsedMs / 1000).toFixed(1)} s, ${snapshot.done}/${snapshot.total ?? '?'} questions`, table([header, ...body])];
  if (snapshot.power.powerW === undefined && snapshot.power.joules === undefined) lines.push('power: not measured (q/s/W needs a telemetry source)');
  const guard = guardLine(snapshot.measuring);
  if (guard) lines.push(`timing: ${guard}`);
  const fromSchedule = scheduleLine(snapshot);
  if (fromSchedule) lines.push(fromSchedule);
  const synthetic = (['A', 'B'] as const).filter((slot) => snapshot.models[slot].info.synthetic);
  if (synthetic.length > 0) lines.push(`${synthetic.join(' and ')}: ${SYNTHETIC_NOTE}`);
  for (const warning of snapshot.warnings.slice(-3)) lines.push(`warning: ${warning}`);
  if (outcome.logPath) lines.push(`session log: ${outcome.logPath}`);
  return `${lines.join('\n')}\n`;
}

/** E2E p99 from the schedule and the send lag behind it, per model, when the run kept schedules. */
export function scheduleLine(snapshot: Snapshot): string | undefined {
  const parts = (['A', 'B'] as const).flatMap((slot) => {
    const latency = snapshot.models[slot].latency;
    if (latency.lag.run.count === 0) return [];
    return [`${slot} E2E p99 ${ms(latency.e2eSched.run.p99)} (send lag p99 ${ms(latency.lag.run.p99)})`];
  });
  return parts.length > 0 ? `from the schedule: ${parts.join(' · ')}` : undefined;
}

/**
 * The run's results as one JSON object (the last line of --json): `summary: true`, the
 * session log's path, and the flat result keys of docs/results.md.
 */
export function summaryJson(outcome: RunOutcome): Record<string, unknown> {
  return {
    summary: true,
    log_path: outcome.logPath ?? null,
    ...resultsOf(outcome.snapshot, { reason: outcome.reason, ...(outcome.detail === undefined ? {} : { detail: outcome.detail }) }),
  };
}
