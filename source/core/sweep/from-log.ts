import type { SloTargets } from '../metrics/latency-values.js';
import { finalSnapshot, metricsOptionsFor } from '../session/fold.js';
import type { SessionLogData } from '../session/reader.js';
import type { PolicySweep } from './driver.js';
import { judgeProbe, type ProbeResult } from './probe.js';
import { GridPoints, type SweepMode } from './search.js';
import { summarise, type SweepSummary } from './summary.js';

export interface LoggedSweep {
  probes: ProbeResult[];
  mode?: SweepMode;
  slo: SloTargets;
  attainment?: number;
  synthetic: boolean;
  /** True when the run ended as a finished sweep ends (quit after the last probe). */
  finished: boolean;
}

/**
 * The probes of a sweep's session log, judged from the same store figures the live
 * sweep used (the log is folded through the metrics store, as replay and report do).
 */
export function sweepOfLog(log: Pick<SessionLogData, 'header' | 'events'>): LoggedSweep {
  const snapshot = finalSnapshot(log);
  const probes = snapshot.segments.map(judgeProbe).filter((p): p is ProbeResult => p !== undefined);
  const end = [...log.events].reverse().find((e) => e.type === 'run-end');
  const models = log.header.models;
  return {
    probes,
    ...(probes[0] ? { mode: probes[0].mode, attainment: probes[0].target } : {}),
    slo: metricsOptionsFor(log.header).slo ?? {},
    synthetic: Boolean(models?.A?.synthetic || models?.B?.synthetic),
    finished: end?.type === 'run-end' && end.reason === 'quit',
  };
}

/** Probes to resume from: all but the one in flight when the run was cut short (re-run, not trusted). */
export function resumableProbes(logged: LoggedSweep): ProbeResult[] {
  return logged.finished ? logged.probes : logged.probes.slice(0, -1);
}

/** A summary rebuilt from a log alone: the probes grouped by policy, in the order they ran. */
export function summaryOfLog(log: Pick<SessionLogData, 'header' | 'events' | 'path'>): SweepSummary | undefined {
  const logged = sweepOfLog(log);
  if (!logged.mode || logged.attainment === undefined) return undefined;
  const policies: PolicySweep[] = [];
  for (const probe of logged.probes) {
    let entry = policies.find((p) => p.policy === probe.policy);
    if (!entry) policies.push((entry = { policy: probe.policy, probes: [], search: { unresolved: [] } }));
    entry.probes.push(probe);
  }
  for (const entry of policies) {
    // The bracket is read off the verdicts the same way the search reads it.
    const grid = new GridPoints(entry.probes.map((p) => p.load));
    for (const probe of entry.probes) grid.record(probe.load, probe.verdict);
    const { end: _end, ...bracket } = grid.result();
    entry.search = bracket;
  }
  return summarise(policies, { mode: logged.mode, slo: logged.slo, attainment: logged.attainment, interrupted: !logged.finished, logPath: log.path, synthetic: logged.synthetic });
}
