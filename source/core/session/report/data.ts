/**
 * Everything a report shows, computed once from a read log: the final snapshot (the same
 * fold the live run used) plus what only the full record set gives (exact distributions,
 * time series, per-segment accuracy, the slowest requests). HTML, Markdown and JSON
 * render this; none of them computes figures.
 */
import type { EngineInfo, ModelSlot } from '../../engines/engine.js';
import type { Snapshot } from '../../metrics/snapshot.js';
import { systemAnswersOf } from '../../metrics/system.js';
import type { QueryRecord } from '../../query.js';
import { finalSnapshot } from '../fold.js';
import type { HostFacts } from '../header.js';
import type { SessionLogData } from '../reader.js';
import { distributionsOf, measuredRecords, type Distribution, type DistributionMetric } from './distributions.js';
import { timeSeriesOf, type TimeSeries } from './series.js';

export const SYNTHETIC_LABEL = 'synthetic weights: timings are real, answers are not';
const SLOWEST_COUNT = 10;

export interface HeaderFacts {
  duetVersion: string;
  wallStart: string;
  profileName?: string;
  host: HostFacts;
  models: Record<ModelSlot, EngineInfo>;
  dataset: { path: string; hash?: string; questions: number };
}

export interface SegmentAccuracy {
  segment: number;
  policy: string;
  model: ModelSlot | 'A+B';
  n: number;
  em?: number;
  f1?: number;
}

export interface ScatterPoint {
  segment: number;
  policy: string;
  e2eP50Ms?: number;
  em?: number;
  /** Device energy per completed query over the segment (mean power x duration / completed). */
  joulesPerQuery?: number;
}

export interface SlowRequest {
  model: ModelSlot;
  seq: number;
  question: string;
  prediction: string;
  gold: string[];
  em?: number;
  /** Milliseconds: preprocessing, queue, time to first token (from issue), decode, postprocessing, end to end. */
  preMs: number;
  queueMs?: number;
  ttftMs?: number;
  decodeMs?: number;
  postMs?: number;
  e2eMs: number;
  outputTokens: number;
}

export interface ReportData {
  logPath: string;
  complete: boolean;
  /** How the run ended (its run-end event), when the log has one. */
  end?: { reason: string; detail?: string };
  warnings: string[];
  facts: HeaderFacts;
  snapshot: Snapshot;
  distributions: Record<ModelSlot, Record<DistributionMetric, Distribution>>;
  series: TimeSeries;
  segmentAccuracy: SegmentAccuracy[];
  scatter: ScatterPoint[];
  slowest: SlowRequest[];
}

export function headerFacts(log: Pick<SessionLogData, 'header'>): HeaderFacts {
  const { header } = log;
  const profile = header.profile as { name?: unknown } | null;
  const name = profile && typeof profile === 'object' && typeof profile.name === 'string' ? profile.name : undefined;
  return {
    duetVersion: header.duetVersion,
    wallStart: header.wallStart,
    ...(name === undefined ? {} : { profileName: name }),
    host: header.host,
    models: header.models,
    dataset: header.dataset,
  };
}

export function recordsOf(log: Pick<SessionLogData, 'events'>): QueryRecord[] {
  return log.events.flatMap((e) => (e.type === 'query-finished' || e.type === 'query-failed' ? [e.record] : []));
}

export function buildReportData(log: SessionLogData): ReportData {
  const snapshot = finalSnapshot(log);
  const measured = measuredRecords(recordsOf(log));
  const runEnd = [...log.events].reverse().find((e) => e.type === 'run-end');
  return {
    logPath: log.path,
    complete: log.complete,
    ...(runEnd?.type === 'run-end' ? { end: { reason: runEnd.reason, ...(runEnd.detail === undefined ? {} : { detail: runEnd.detail }) } } : {}),
    warnings: log.warnings,
    facts: headerFacts(log),
    snapshot,
    distributions: distributionsOf(measured),
    series: timeSeriesOf(log.events, measured),
    segmentAccuracy: segmentAccuracyOf(measured, snapshot),
    scatter: snapshot.segments.map((s) => {
      const joules = s.joules !== undefined && s.completed > 0 ? s.joules / s.completed : undefined;
      return { segment: s.index, policy: s.policy, e2eP50Ms: s.e2eP50, em: s.em, ...(joules === undefined ? {} : { joulesPerQuery: joules }) };
    }),
    slowest: slowestOf(measured),
  };
}

function segmentAccuracyOf(records: readonly QueryRecord[], snapshot: Snapshot): SegmentAccuracy[] {
  const rows: SegmentAccuracy[] = [];
  for (const segment of snapshot.segments) {
    const inSegment = records.filter((r) => r.segment === segment.index);
    for (const model of ['A', 'B', 'A+B'] as const) {
      const answers = model === 'A+B' ? systemAnswersOf(inSegment).flatMap((a) => a.scored) : inSegment.filter((r) => r.model === model);
      const scored = answers.filter((r) => r.em !== undefined);
      const mean = (pick: (r: QueryRecord) => number) => (scored.length === 0 ? undefined : (100 * scored.reduce((sum, r) => sum + pick(r), 0)) / scored.length);
      rows.push({ segment: segment.index, policy: segment.policy, model, n: scored.length, em: mean((r) => (r.em! >= 1 ? 1 : 0)), f1: mean((r) => r.f1 ?? r.em!) });
    }
  }
  return rows;
}

function slowestOf(records: readonly QueryRecord[]): SlowRequest[] {
  return [...records]
    .sort((a, b) => b.tDone - b.tIssued - (a.tDone - a.tIssued))
    .slice(0, SLOWEST_COUNT)
    .map((r) => ({
      model: r.model,
      seq: r.seq,
      question: r.question ?? r.questionId,
      prediction: r.prediction ?? '',
      gold: r.gold ?? [],
      ...(r.em === undefined ? {} : { em: r.em }),
      preMs: r.tEnqueued - r.tIssued,
      ...(r.tStart === undefined ? {} : { queueMs: r.tStart - r.tEnqueued }),
      ...(r.tFirstToken === undefined ? {} : { ttftMs: r.tFirstToken - r.tIssued }),
      ...(r.tFirstToken === undefined || r.tEnd === undefined ? {} : { decodeMs: r.tEnd - r.tFirstToken }),
      ...(r.tEnd === undefined ? {} : { postMs: r.tDone - r.tEnd }),
      e2eMs: r.tDone - r.tIssued,
      outputTokens: r.outputTokens,
    }));
}
