/**
 * Comparing session logs: the same figures for each log side by side, per model and
 * (when a log ran several policies) per policy and model, with deltas against the
 * first log. Whole-run rows come from each log's final snapshot (the figures the run
 * showed); per-policy rows are computed exactly from the records of that policy's
 * segments. EM differences whose 95% Wilson intervals overlap are marked not significant.
 */
import type { ModelSlot } from '../engines/engine.js';
import type { RunEvent } from '../events.js';
import { latencyValuesOf, meetsSlo } from '../metrics/latency-values.js';
import { percentilesOf } from '../metrics/percentiles.js';
import type { GroupFigures, Proportion, Snapshot } from '../metrics/snapshot.js';
import { systemAnswersOf, type SystemAnswer } from '../metrics/system.js';
import { wilsonInterval } from '../metrics/wilson.js';
import { guardLine } from '../plane/guard.js';
import type { QueryRecord } from '../query.js';
import { finalSnapshot, lastEventTime, metricsOptionsFor } from './fold.js';
import type { SessionLogData } from './reader.js';
import { measuredRecords } from './report/distributions.js';

export interface CompareFigures {
  completed: number;
  p50?: number;
  p90?: number;
  p99?: number;
  qps?: number;
  tokensPerSec?: number;
  em: Proportion;
  goodput?: number;
  joulesPerCorrect?: number;
}

export type GroupModel = ModelSlot | 'A+B';

export interface CompareGroup {
  /** e.g. "model A", "A+B", "policy mirror, model B". */
  title: string;
  policy?: string;
  model: GroupModel;
  /** One entry per log, in the order given; undefined when the log has no such group. */
  figures: (CompareFigures | undefined)[];
}

export interface Comparison {
  /** timing: the measuring guard's line when it tripped in that run (its figures may be inflated). */
  logs: { path: string; name: string; profile?: string; models: Record<ModelSlot, string>; timing?: string }[];
  groups: CompareGroup[];
}

/** Whether two EM intervals overlap, i.e. the difference is not significant at 95%. */
export function intervalsOverlap(a: Proportion, b: Proportion): boolean {
  if (a.low === undefined || a.high === undefined || b.low === undefined || b.high === undefined) return true;
  return a.low <= b.high && b.low <= a.high;
}

function fromGroup(group: GroupFigures): CompareFigures {
  const e2e = group.latency.e2e.run;
  return {
    completed: group.completed,
    p50: e2e.p50,
    p90: e2e.p90,
    p99: e2e.p99,
    qps: group.throughput.qpsRun,
    tokensPerSec: group.throughput.tokensPerSecRun,
    em: group.accuracy.em,
    goodput: group.throughput.goodput,
    joulesPerCorrect: group.energy.joulesPerCorrect,
  };
}

interface PolicyWindow {
  policy: string;
  /** Seconds of the measured window the policy was in force. */
  seconds: number;
  /** Device energy over those seconds (segment mean power x duration), when measured. */
  joules?: number;
}

/** How long each policy ran within the measured window, and the device energy it used. */
function policyWindows(events: readonly RunEvent[], snapshot: Snapshot): Map<string, PolicyWindow> {
  const measuredStart = events.find((e) => e.type === 'query-issued' && !e.warmup)?.t;
  const end = events.find((e) => e.type === 'run-end')?.t ?? lastEventTime(events);
  const windows = new Map<string, PolicyWindow>();
  if (measuredStart === undefined) return windows;
  for (const segment of snapshot.segments) {
    const seconds = Math.max(0, Math.min(segment.tEnd ?? end, end) - Math.max(segment.tStart, measuredStart)) / 1000;
    const window = windows.get(segment.policy) ?? { policy: segment.policy, seconds: 0, joules: 0 };
    window.seconds += seconds;
    // One unmeasured stretch leaves the policy's energy unknown (never a fake 0).
    if (seconds > 0) window.joules = window.joules === undefined || segment.meanPowerW === undefined ? undefined : window.joules + segment.meanPowerW * seconds;
    windows.set(segment.policy, window);
  }
  return windows;
}

/** Figures of answered questions: a model's records, or the system's answers (A+B), each scored by its `scored`. */
function fromAnswers(answers: readonly SystemAnswer[], window: PolicyWindow, slo: Parameters<typeof meetsSlo>[1], withEnergy: boolean): CompareFigures {
  const answered = answers.filter((a) => a.record.error === undefined && a.record.timedOut !== true);
  const ok = answered.map((a) => a.record);
  const e2e = percentilesOf(ok.map((r) => r.tDone - r.tIssued));
  const scored = answers.flatMap((a) => a.scored).filter((r) => r.em !== undefined);
  const hits = scored.filter((r) => r.em! >= 1).length;
  const interval = wilsonInterval(hits, scored.length);
  const em: Proportion = scored.length === 0 ? { n: 0 } : { value: (100 * hits) / scored.length, low: 100 * interval.low, high: 100 * interval.high, n: scored.length };
  const perSecond = (count: number) => (window.seconds > 0 ? count / window.seconds : undefined);
  return {
    completed: ok.length,
    p50: e2e.p50,
    p90: e2e.p90,
    p99: e2e.p99,
    qps: perSecond(ok.length),
    tokensPerSec: perSecond(answered.reduce((sum, a) => sum + a.outputTokens, 0)),
    em,
    goodput: perSecond(ok.filter((r) => meetsSlo(latencyValuesOf(r), slo)).length),
    ...(withEnergy && window.joules !== undefined && hits > 0 ? { joulesPerCorrect: window.joules / hits } : {}),
  };
}

function displayNames(paths: readonly string[]): string[] {
  const base = paths.map((p) => p.split(/[\\/]/).pop() ?? p);
  return base.map((name, i) => (base.indexOf(name) === base.lastIndexOf(name) ? name : paths[i]!));
}

function timingOf(snapshot: Snapshot): string | undefined {
  return guardLine(snapshot.measuring);
}

export function compareLogs(logs: readonly SessionLogData[]): Comparison {
  const names = displayNames(logs.map((l) => l.path));
  const snapshots = logs.map((log) => finalSnapshot(log));
  const groups: CompareGroup[] = [
    ...(['A', 'B'] as const).map((slot) => ({ title: `model ${slot}`, model: slot, figures: snapshots.map((s) => fromGroup(s.models[slot])) })),
    { title: 'A+B', model: 'A+B' as const, figures: snapshots.map((s) => fromGroup(s.combined)) },
  ];
  // Per policy only when some log switched policies: otherwise it repeats the rows above.
  if (snapshots.some((s) => new Set(s.segments.map((seg) => seg.policy)).size > 1)) {
    const policies = [...new Set(snapshots.flatMap((s) => s.segments.map((seg) => seg.policy)))];
    const perLog = logs.map((log, i) => ({
      records: log.events.flatMap((e) => (e.type === 'query-finished' || e.type === 'query-failed' ? [e.record] : [])).filter((r) => !r.warmup),
      windows: policyWindows(log.events, snapshots[i]!),
      slo: metricsOptionsFor(log.header).slo ?? {},
    }));
    for (const policy of policies) {
      for (const model of ['A', 'B', 'A+B'] as const) {
        const figures = perLog.map(({ records, windows, slo }) => {
          const window = windows.get(policy);
          if (!window) return undefined;
          const ofPolicy = records.filter((r) => r.policy === policy);
          const answers = model === 'A+B' ? systemAnswersOf(ofPolicy) : measuredRecords(ofPolicy.filter((r) => r.model === model)).map((r) => ({ record: r, inputTokens: r.promptTokens, outputTokens: r.outputTokens, scored: [r] }));
          return fromAnswers(answers, window, slo, model === 'A+B');
        });
        groups.push({ title: `policy ${policy}, ${model === 'A+B' ? 'A+B' : `model ${model}`}`, policy, model, figures });
      }
    }
  }
  return {
    logs: logs.map((log, i) => {
      const profile = (log.header.profile as { name?: unknown } | null)?.name;
      return {
        path: log.path,
        name: names[i]!,
        ...(typeof profile === 'string' ? { profile } : {}),
        models: { A: log.header.models.A.label, B: log.header.models.B.label },
        ...(timingOf(snapshots[i]!) ? { timing: timingOf(snapshots[i]!) } : {}),
      };
    }),
    groups,
  };
}
