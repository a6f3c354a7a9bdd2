/**
 * The report's tables as plain data (title, head, rows of text), so the HTML and the
 * Markdown report show exactly the same figures. Cells are raw text: each renderer
 * escapes them for its own format.
 */
import { fixed, ms, NA, percent } from '../../headless/format.js';
import type { GroupFigures, Proportion } from '../../metrics/snapshot.js';
import { guardLine, type MeasuringFigures } from '../../plane/guard.js';
import { SYNTHETIC_LABEL, type ReportData } from './data.js';
import { DISTRIBUTION_METRICS } from './distributions.js';
import { serverTable } from './server-table.js';

export interface Table {
  id: string;
  title: string;
  /** A sentence under the title (how to read it, or what is missing). */
  note?: string;
  head: string[];
  rows: string[][];
}

const SLOTS = ['A', 'B'] as const;

export function emWithInterval(em: Proportion): string {
  if (em.value === undefined) return NA;
  return `${em.value.toFixed(1)}% [${fixed(em.low, 1)}, ${fixed(em.high, 1)}] n=${em.n}`;
}

function groups(data: ReportData): { name: string; group: GroupFigures }[] {
  const { models, combined } = data.snapshot;
  return [...SLOTS.map((slot) => ({ name: `${slot} ${models[slot].info.label}`, group: models[slot] as GroupFigures })), { name: 'A+B', group: combined }];
}

/** Header facts as label/value pairs. */
export function factRows(data: ReportData): [string, string][] {
  const { facts } = data;
  const rows: [string, string][] = [
    ['profile', facts.profileName ?? NA],
    ['started', facts.wallStart],
    ['duet', facts.duetVersion],
    ['host', `${facts.host.cpuModel}, ${facts.host.cores} cores, ${(facts.host.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${facts.host.os} ${facts.host.arch}, Node ${facts.host.node}`],
  ];
  if (facts.host.accelerators?.length) rows.push(['accelerators', facts.host.accelerators.join(', ')]);
  for (const slot of SLOTS) {
    const m = facts.models[slot];
    const params = m.params === undefined ? '' : `, ${(m.params / 1e6).toFixed(0)} M params`;
    const where = m.url ?? m.path ?? m.model;
    rows.push([`model ${slot}`, `${m.label}: ${m.backend} ${where} on ${m.device}${params}${m.dtype ? `, ${m.dtype}` : ''}${m.synthetic ? ` (${SYNTHETIC_LABEL})` : ''}`]);
  }
  rows.push(['dataset', `${facts.dataset.path} (${facts.dataset.questions} questions${facts.dataset.hash ? `, sha256 ${facts.dataset.hash}` : ''})`]);
  rows.push(['run', `${(data.snapshot.elapsedMs / 1000).toFixed(1)} s, ${data.snapshot.done}/${data.snapshot.total ?? '?'} questions${data.complete ? '' : ', interrupted (no run-end in the log)'}`]);
  rows.push(['timing', timingFact(data.snapshot.measuring)]);
  return rows;
}

/** What the measuring guard says of the run's timings, in one cell. */
export function timingFact(measuring: MeasuringFigures): string {
  if (measuring.samples === 0) return 'not checked (the log has no measuring-guard samples)';
  return guardLine(measuring) ?? `the client kept up for all ${measuring.samples} s sampled (measuring guard)`;
}

export function summaryTable(data: ReportData): Table {
  return {
    id: 'summary',
    title: 'Summary',
    note: 'Mean end-to-end latency, queries per second, exact match (95% Wilson interval) and queries per second per watt of device power, per model and for the system (A+B: one per question, the answer the policy used; a mirrored question as a pair).',
    head: ['', 'done', 'mean E2E', 'q/s', 'EM', 'F1', 'q/s/W', 'p50', 'p90', 'p99', 'errors', 'cancelled'],
    rows: groups(data).map(({ name, group }) => {
      const e2e = group.latency.e2e.run;
      return [name, String(group.completed), ms(e2e.mean), fixed(group.throughput.qpsRun), emWithInterval(group.accuracy.em), percent(group.accuracy.f1), fixed(group.energy.qpsPerW, 3), ms(e2e.p50), ms(e2e.p90), ms(e2e.p99), `${group.errors + group.timeouts}${group.overloaded ? ` (${group.overloaded} overload)` : ''}`, String(group.cancelled)];
    }),
  };
}

export function latencyTable(data: ReportData): Table {
  const rows: string[][] = [];
  for (const slot of SLOTS) {
    for (const metric of DISTRIBUTION_METRICS) {
      const s = data.distributions[slot][metric].stats;
      rows.push([`${slot} ${metric.toUpperCase()}`, String(s.count), ms(s.mean), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max)]);
    }
  }
  return { id: 'latency', title: 'Latency', note: 'Exact percentiles of every measured record (TTFT from the send; E2E from preprocessing to postprocessing; TPOT over tokens after the first).', head: ['', 'n', 'mean', 'p50', 'p90', 'p99', 'max'], rows };
}

/** Send lag and latency from the scheduled time (MLPerf LoadGen's rule), when the log has schedules. */
export function scheduleTable(data: ReportData): Table | undefined {
  const metrics = [
    ['lag', 'send lag'],
    ['ttftSched', 'TTFT from schedule'],
    ['e2eSched', 'E2E from schedule'],
  ] as const;
  const rows: string[][] = [];
  for (const slot of SLOTS) {
    for (const [metric, label] of metrics) {
      const s = data.snapshot.models[slot].latency[metric].run;
      if (s.count > 0) rows.push([`${slot} ${label}`, String(s.count), ms(s.mean), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max)]);
    }
  }
  if (rows.length === 0) return undefined;
  return {
    id: 'schedule',
    title: 'Latency from the schedule',
    note: 'Send lag is how late the client sent each request against its schedule (open loop: the arrival timeline; closed loop: when its predecessor was answered). Figures from the schedule add it, so a late client cannot hide latency.',
    head: ['', 'n', 'mean', 'p50', 'p90', 'p99', 'max'],
    rows,
  };
}

export function accuracyTable(data: ReportData): Table {
  return {
    id: 'accuracy',
    title: 'Accuracy per model',
    head: ['', 'EM', 'F1', 'answerable EM', 'answerable F1', 'unanswerable EM', 'unanswerable F1'],
    rows: groups(data).map(({ name, group }) => {
      const a = group.accuracy;
      return [name, emWithInterval(a.em), percent(a.f1), emWithInterval(a.hasAns.em), percent(a.hasAns.f1), emWithInterval(a.noAns.em), percent(a.noAns.f1)];
    }),
  };
}

export function segmentTable(data: ReportData): Table {
  const bySegment = new Map(data.snapshot.segments.map((s) => [s.index, s]));
  return {
    id: 'segments',
    title: 'Accuracy and latency per policy segment',
    head: ['segment', 'policy', 'model', 'n', 'EM', 'F1', 'p50 E2E', 'q/s', 'mean power'],
    rows: data.segmentAccuracy.map((row) => {
      const s = bySegment.get(row.segment);
      const shared = row.model === 'A+B' && s ? [ms(s.e2eP50), fixed(s.qps), s.meanPowerW === undefined ? NA : `${s.meanPowerW.toFixed(1)} W`] : ['', '', ''];
      return [String(row.segment), row.policy, row.model, String(row.n), percent(row.em), percent(row.f1), ...shared];
    }),
  };
}

export function energyTable(data: ReportData): Table {
  const power = data.snapshot.power;
  const measured = power.source !== undefined && power.joules !== undefined;
  const note = measured
    ? `Device power from ${power.source}, sampled every ${power.intervalMs === undefined ? '?' : `${Math.round(power.intervalMs)} ms`} (${power.samples} samples); a model's share of a shared device is split by busy time (estimated).`
    : 'Device power was not measured in this run (no telemetry source with power readings).';
  return {
    id: 'energy',
    title: 'Energy efficiency (device power)',
    note,
    head: ['', 'energy', 'mean power', 'q/s/W', 'J/query', 'J/correct', 'tokens/J', 'coverage'],
    rows: groups(data).map(({ name, group }) => {
      const e = group.energy;
      return [
        name,
        e.joules === undefined ? NA : `${e.joules.toFixed(1)} J${e.estimated ? ' (est.)' : ''}`,
        e.meanPowerW === undefined ? NA : `${e.meanPowerW.toFixed(1)} W`,
        fixed(e.qpsPerW, 3),
        fixed(e.joulesPerQuery, 2),
        fixed(e.joulesPerCorrect, 2),
        fixed(e.tokensPerJoule, 2),
        e.coveredFraction === undefined ? NA : percent(100 * e.coveredFraction),
      ];
    }),
  };
}

/** Questions and predictions in the slowest table are cut here: a 128-token answer is no table cell. */
export const CELL_TEXT_MAX = 80;

export function shortText(text: string, max = CELL_TEXT_MAX): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function slowestTable(data: ReportData): Table {
  return {
    id: 'slowest',
    title: 'Slowest requests',
    note: `Breakdown: preprocessing, queue, time to first token (from issue), decode, postprocessing. Questions and predictions longer than ${CELL_TEXT_MAX} characters are cut (…).`,
    head: ['model', 'question', 'prediction', 'gold', 'EM', 'pre', 'queue', 'TTFT', 'decode', 'post', 'E2E', 'tokens'],
    rows: data.slowest.map((r) => [
      r.model,
      shortText(r.question),
      shortText(r.prediction),
      r.gold.map((g) => (g === '' ? '(unanswerable)' : g)).join(' | '),
      r.em === undefined ? NA : String(r.em),
      ms(r.preMs),
      ms(r.queueMs),
      ms(r.ttftMs),
      ms(r.decodeMs),
      ms(r.postMs),
      ms(r.e2eMs),
      String(r.outputTokens),
    ]),
  };
}

export function allTables(data: ReportData): Table[] {
  const server = serverTable(data);
  const schedule = scheduleTable(data);
  return [summaryTable(data), latencyTable(data), ...(schedule ? [schedule] : []), ...(server ? [server] : []), accuracyTable(data), segmentTable(data), energyTable(data), slowestTable(data)];
}
