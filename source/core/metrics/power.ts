import { integrateEnergy, medianInterval, normalisePoints, GAP_FACTOR, type PowerPoint } from '../telemetry/energy.js';
import type { DeviceReading, TelemetrySample, TelemetrySourceName, TelemetryStatus } from '../telemetry/sample.js';
import type { MeasuredWindow } from './group.js';
import type { PowerView } from './snapshot.js';

const SERIES_WINDOW_MS = 60_000;
/** A power reading older than this many intervals is no longer "now". */
const STALE_INTERVALS = 3;
const MIN_STALE_MS = 5_000;

/** Device energy over the measured window, summed over power sources. */
export interface WindowEnergy {
  /** Energy over the whole window: the integral scaled up to the window when readings cover only part of it. */
  joules: number;
  /** The integral itself (what the readings cover). */
  measuredJoules: number;
  /** Share of the window the readings cover (0-1). */
  coveredFraction: number;
  samples: number;
}

/**
 * Power readings from telemetry samples. A sample's power is the sum of powerW over its
 * devices that report one (devices without a reading are skipped; a sample with none
 * adds no point: never a fake 0). The `system` source carries no power.
 */
export class PowerTracker {
  private readonly points = new Map<TelemetrySourceName, PowerPoint[]>();
  private readonly latestPower = new Map<TelemetrySourceName, PowerPoint>();
  private readonly latestDevices = new Map<TelemetrySourceName, DeviceReading[]>();
  private readonly statuses = new Map<TelemetrySourceName, TelemetryStatus>();
  /** Total power over all sources after each power reading, for the series. */
  private readonly totals: PowerPoint[] = [];
  private readonly medianCache = new Map<TelemetrySourceName, { length: number; median?: number }>();

  addSample(sample: TelemetrySample): void {
    this.latestDevices.set(sample.source, sample.devices);
    if (sample.source === 'system') return;
    const readings = sample.devices.filter((d) => d.powerW !== undefined && Number.isFinite(d.powerW));
    if (readings.length === 0) return;
    const point = { t: sample.t, powerW: readings.reduce((sum, d) => sum + d.powerW!, 0) };
    const series = this.points.get(sample.source) ?? [];
    series.push(point);
    this.points.set(sample.source, series);
    this.latestPower.set(sample.source, point);
    this.totals.push({ t: sample.t, powerW: [...this.latestPower.values()].reduce((sum, p) => sum + p.powerW, 0) });
  }

  setStatus(status: TelemetryStatus): void {
    this.statuses.set(status.source, status);
  }

  /** Energy over the measured window, or undefined without readings covering any of it. */
  energyOver(window: MeasuredWindow): WindowEnergy | undefined {
    if (window.start === undefined || !(window.end > window.start)) return undefined;
    let joules = 0;
    let measuredJoules = 0;
    let covered = 0;
    let samples = 0;
    let any = false;
    for (const [source, points] of this.points) {
      const part = integrateEnergy(points, window.start, window.end, { maxGapMs: this.maxGap(source, points) });
      samples += part.samples;
      if (part.coveredMs <= 0) continue;
      any = true;
      measuredJoules += part.joules;
      joules += part.joules * ((window.end - window.start) / part.coveredMs);
      covered = Math.max(covered, part.coveredMs);
    }
    if (!any) return undefined;
    return { joules, measuredJoules, coveredFraction: covered / (window.end - window.start), samples };
  }

  /** Time-weighted mean power (W) over [from, to], summed over sources; undefined without coverage. */
  meanPowerOver(from: number, to: number): number | undefined {
    let total: number | undefined;
    for (const [source, points] of this.points) {
      const part = integrateEnergy(points, from, to, { maxGapMs: this.maxGap(source, points) });
      if (part.coveredMs > 0) total = (total ?? 0) + part.joules / (part.coveredMs / 1000);
    }
    return total;
  }

  view(end: number, window: MeasuredWindow, energy: WindowEnergy | undefined): PowerView {
    const sources = [...this.points.keys()];
    const intervalMs = this.intervalMs(sources[0]);
    const staleAfter = Math.max(MIN_STALE_MS, STALE_INTERVALS * (intervalMs ?? 1000));
    let powerW: number | undefined;
    for (const point of this.latestPower.values()) {
      if (point.t <= end && end - point.t <= staleAfter) powerW = (powerW ?? 0) + point.powerW;
    }
    const view: PowerView = {
      status: [...this.statuses.values()],
      devices: [...this.latestDevices.values()].flat(),
      powerSeries: this.totals.filter((p) => p.t > end - SERIES_WINDOW_MS && p.t <= end).map((p) => p.powerW),
      samples: energy?.samples ?? this.samplesIn(window),
    };
    if (powerW !== undefined) view.powerW = powerW;
    if (energy !== undefined) view.joules = energy.joules;
    if (intervalMs !== undefined) view.intervalMs = intervalMs;
    // The power source(s): those that gave readings, else those that announced themselves.
    const named = sources.length > 0 ? sources : [...this.statuses.keys()].filter((s) => s !== 'system');
    if (named.length > 0) view.source = named.join('+');
    return view;
  }

  private samplesIn(window: MeasuredWindow): number {
    if (window.start === undefined) return 0;
    let count = 0;
    for (const points of this.points.values()) for (const p of points) if (p.t >= window.start && p.t <= window.end) count++;
    return count;
  }

  /** The sampling interval achieved (median), else the configured one. */
  private intervalMs(source: TelemetrySourceName | undefined): number | undefined {
    if (source === undefined) return undefined;
    return this.median(source, this.points.get(source) ?? []) ?? this.statuses.get(source)?.intervalMs;
  }

  private maxGap(source: TelemetrySourceName, points: PowerPoint[]): number {
    const interval = this.median(source, points) ?? this.statuses.get(source)?.intervalMs ?? 0;
    return GAP_FACTOR * interval;
  }

  /** Median interval of a source's readings, recomputed only when a reading was added. */
  private median(source: TelemetrySourceName, points: PowerPoint[]): number | undefined {
    const cached = this.medianCache.get(source);
    if (cached && cached.length === points.length) return cached.median;
    const median = medianInterval(normalisePoints(points));
    this.medianCache.set(source, { length: points.length, median });
    return median;
  }
}
