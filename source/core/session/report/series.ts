/**
 * Time series for the report's charts, in seconds since run-start: queries and tokens
 * finished per one-second bucket per model, total device power per telemetry sample,
 * E2E p50/p99 and EM per model over coarser windows, the policy switches to mark and
 * every segment (policy, load or weight change) to shade.
 */
import type { ModelSlot } from '../../engines/engine.js';
import type { RunEvent } from '../../events.js';
import type { QueryRecord } from '../../query.js';
import { timelineSegments } from '../replay.js';

/** The windows of the percentile and EM series: about 60 over the run, at least 5 s each. */
export function windowSeconds(durationS: number): number {
  return Math.max(5, Math.ceil(durationS / 60));
}

export interface WindowSeries {
  /** Window start, seconds since run-start; each window is windowS long. */
  seconds: number[];
  windowS: number;
  /** E2E ms of the records finished in the window; null where none finished. */
  e2eP50: Record<ModelSlot, (number | null)[]>;
  e2eP99: Record<ModelSlot, (number | null)[]>;
  /** EM (percent) of the scored records finished in the window, with their count. */
  em: Record<ModelSlot, (number | null)[]>;
  emN: Record<ModelSlot, number[]>;
}

export interface TimeSeries {
  /** Bucket start, seconds since run-start. */
  seconds: number[];
  qps: Record<ModelSlot, number[]>;
  tokensPerSec: Record<ModelSlot, number[]>;
  /** [seconds, watts] per sample that had a power reading (summed over devices). */
  power: [number, number][];
  switches: { seconds: number; from: string; to: string; segment: number }[];
  /** Every segment, [from, to) in seconds, with what started it (policy, load or weight). */
  segments: { index: number; label: string; from: number; to: number }[];
  windows: WindowSeries;
}

export function timeSeriesOf(events: readonly RunEvent[], records: readonly QueryRecord[]): TimeSeries {
  const origin = events.find((e) => e.type === 'run-start')?.t ?? events[0]?.t ?? 0;
  const sec = (t: number) => (t - origin) / 1000;
  const last = events.reduce((max, e) => Math.max(max, e.t), origin);
  const buckets = Math.max(1, Math.ceil(sec(last)));
  const zeros = () => Array.from({ length: buckets }, () => 0);
  const series: TimeSeries = {
    seconds: Array.from({ length: buckets }, (_, i) => i),
    qps: { A: zeros(), B: zeros() },
    tokensPerSec: { A: zeros(), B: zeros() },
    power: [],
    switches: [],
    segments: [],
    windows: windowSeriesOf(records, sec, sec(last)),
  };
  const starts = timelineSegments(events);
  starts.forEach((segment, i) => {
    series.segments.push({ index: segment.index, label: segment.label, from: sec(segment.t), to: i + 1 < starts.length ? sec(starts[i + 1]!.t) : sec(last) });
  });
  const bucketOf = (t: number) => Math.min(buckets - 1, Math.max(0, Math.floor(sec(t))));
  for (const record of records) {
    series.qps[record.model][bucketOf(record.tDone)]!++;
    // Tokens in the second they arrived when the record has their times (as the live screen counts them).
    const times = record.tokenTimes;
    const weights = times ? (record.chunkTokens ?? times.map(() => 1)) : [];
    if (times && times.length > 0 && weights.reduce((a, b) => a + b, 0) === record.outputTokens) {
      times.forEach((t, i) => (series.tokensPerSec[record.model][bucketOf(t)]! += weights[i]!));
    } else series.tokensPerSec[record.model][bucketOf(record.tDone)]! += record.outputTokens;
  }
  for (const event of events) {
    if (event.type === 'policy-switch') series.switches.push({ seconds: sec(event.t), from: event.from, to: event.to, segment: event.segment });
    if (event.type !== 'telemetry' || event.sample.source === 'system') continue;
    const readings = event.sample.devices.filter((d) => typeof d.powerW === 'number' && Number.isFinite(d.powerW));
    if (readings.length > 0) series.power.push([sec(event.sample.t), readings.reduce((sum, d) => sum + d.powerW!, 0)]);
  }
  return series;
}

function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

function windowSeriesOf(records: readonly QueryRecord[], sec: (t: number) => number, durationS: number): WindowSeries {
  const windowS = windowSeconds(durationS);
  const count = Math.max(1, Math.ceil(durationS / windowS));
  const perModel = <T>(make: () => T) => ({ A: make(), B: make() });
  const e2e = perModel(() => Array.from({ length: count }, () => [] as number[]));
  const scored = perModel(() => Array.from({ length: count }, () => ({ n: 0, hits: 0 })));
  for (const record of records) {
    const w = Math.min(count - 1, Math.max(0, Math.floor(sec(record.tDone) / windowS)));
    e2e[record.model][w]!.push(record.tDone - record.tIssued);
    if (record.em !== undefined) {
      scored[record.model][w]!.n++;
      if (record.em >= 1) scored[record.model][w]!.hits++;
    }
  }
  const series: WindowSeries = {
    seconds: Array.from({ length: count }, (_, i) => i * windowS),
    windowS,
    e2eP50: perModel(() => []),
    e2eP99: perModel(() => []),
    em: perModel(() => []),
    emN: perModel(() => []),
  };
  for (const slot of ['A', 'B'] as const) {
    for (let w = 0; w < count; w++) {
      const sorted = e2e[slot][w]!.sort((a, b) => a - b);
      series.e2eP50[slot].push(sorted.length > 0 ? nearestRank(sorted, 0.5) : null);
      series.e2eP99[slot].push(sorted.length > 0 ? nearestRank(sorted, 0.99) : null);
      const { n, hits } = scored[slot][w]!;
      series.em[slot].push(n > 0 ? (100 * hits) / n : null);
      series.emN[slot].push(n);
    }
  }
  return series;
}
