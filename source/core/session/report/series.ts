/**
 * Time series for the report's charts, in seconds since run-start: queries and tokens
 * finished per one-second bucket per model, total device power per telemetry sample,
 * and the policy switches to mark on them.
 */
import type { ModelSlot } from '../../engines/engine.js';
import type { RunEvent } from '../../events.js';
import type { QueryRecord } from '../../query.js';

export interface TimeSeries {
  /** Bucket start, seconds since run-start. */
  seconds: number[];
  qps: Record<ModelSlot, number[]>;
  tokensPerSec: Record<ModelSlot, number[]>;
  /** [seconds, watts] per sample that had a power reading (summed over devices). */
  power: [number, number][];
  switches: { seconds: number; from: string; to: string; segment: number }[];
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
  };
  for (const record of records) {
    const bucket = Math.min(buckets - 1, Math.max(0, Math.floor(sec(record.tDone))));
    series.qps[record.model][bucket]!++;
    series.tokensPerSec[record.model][bucket]! += record.outputTokens;
  }
  for (const event of events) {
    if (event.type === 'policy-switch') series.switches.push({ seconds: sec(event.t), from: event.from, to: event.to, segment: event.segment });
    if (event.type !== 'telemetry' || event.sample.source === 'system') continue;
    const readings = event.sample.devices.filter((d) => typeof d.powerW === 'number' && Number.isFinite(d.powerW));
    if (readings.length > 0) series.power.push([sec(event.sample.t), readings.reduce((sum, d) => sum + d.powerW!, 0)]);
  }
  return series;
}
