import type { QueryRecord } from '../query.js';
import { AccuracyTally } from './accuracy.js';
import { Buckets, HISTOGRAM_BOUNDS, type HistogramCounts, type HistogramName } from './buckets.js';
import { LatencySeries, WINDOW_10S_MS, WINDOW_60S_MS } from './latency-series.js';
import { LATENCY_METRICS } from './latency-values.js';
import { RateSeries } from './rate-series.js';
import type { EnergyFigures, GroupFigures, LatencyMetric, LatencyView, ThroughputFigures } from './snapshot.js';

export const SPARKLINE_SECONDS = 60;

/** The measured window: from the first non-warm-up question issued to `end` (t, or the run's end). */
export interface MeasuredWindow {
  start?: number;
  end: number;
}

/** Everything kept for one group of records: model A, model B, or the system's answers (one per question). */
export class GroupAccumulator {
  completed = 0;
  errors = 0;
  /** Errors that were the server refusing or dropping the request for load (within errors). */
  overloaded = 0;
  timeouts = 0;
  /** Requests cancelled when the run ended (quit or signal): neither errors nor latencies. */
  cancelled = 0;
  outputTokens = 0;
  inputTokens = 0;
  /** Completions meeting every configured SLO. */
  onTime = 0;
  /** Completions with an EM hit that also met every SLO. */
  correctOnTime = 0;
  readonly accuracy = new AccuracyTally();
  private readonly latency = Object.fromEntries(LATENCY_METRICS.map((m) => [m, new LatencySeries()])) as Record<LatencyMetric, LatencySeries>;
  private readonly completions = new RateSeries();
  /** Output tokens at the times they arrived (a record's tokenTimes), so tokens/s does not spike when a long answer finishes. */
  private readonly tokenArrivals = new RateSeries();
  private readonly histograms = Object.fromEntries(Object.entries(HISTOGRAM_BOUNDS).map(([name, bounds]) => [name, new Buckets(bounds)])) as Record<HistogramName, Buckets>;

  /**
   * `scored` are the answers accuracy (and correct-on-time) counts for this completion:
   * the record itself, none, or both of a mirror pair; `tokens` every prompt and output
   * token processed for it (a system answer's may exceed its record's).
   */
  addFinished(
    record: QueryRecord,
    values: Partial<Record<LatencyMetric, number[]>>,
    metSlo: boolean,
    scored: readonly QueryRecord[] = [record],
    tokens: { input: number; output: number } = { input: record.promptTokens, output: record.outputTokens },
  ): void {
    const outputTokens = tokens.output;
    this.completed++;
    this.outputTokens += outputTokens;
    this.inputTokens += tokens.input;
    if (metSlo) this.onTime++;
    for (const answer of scored) {
      if (metSlo && answer.em !== undefined && answer.em >= 1) this.correctOnTime++;
      this.accuracy.add(answer);
    }
    this.completions.add(record.tDone, outputTokens);
    this.addTokenArrivals(record, outputTokens);
    for (const metric of LATENCY_METRICS) {
      for (const value of values[metric] ?? []) this.latency[metric].add(record.tDone, value);
    }
    for (const metric of ['e2e', 'ttft', 'tpot', 'itl', 'queue'] as const) {
      for (const value of values[metric] ?? []) this.histograms[metric].add(value / 1000);
    }
    this.histograms.promptTokens.add(tokens.input);
    this.histograms.outputTokens.add(tokens.output);
  }

  /**
   * Spreads the answer's tokens over their arrival times when the record carries them
   * and they account for every token counted; otherwise counts them when it finished.
   */
  private addTokenArrivals(record: QueryRecord, outputTokens: number): void {
    const times = record.tokenTimes;
    if (times && times.length > 0) {
      const weights = record.chunkTokens ?? times.map(() => 1);
      if (weights.reduce((sum, w) => sum + w, 0) === outputTokens) return this.tokenArrivals.addMany(times, weights);
    }
    this.tokenArrivals.add(record.tDone, outputTokens);
  }

  /** Failures are disjoint: cancelled at the end of the run, timed out, or any other error. */
  addFailed(record: QueryRecord): void {
    if (record.cancelled) this.cancelled++;
    else if (record.timedOut) this.timeouts++;
    else {
      this.errors++;
      if (record.overload) this.overloaded++;
    }
  }

  get correct(): number {
    return this.accuracy.hits;
  }

  figures(window: MeasuredWindow, energy: EnergyFigures): GroupFigures {
    const latency = Object.fromEntries(LATENCY_METRICS.map((m) => [m, this.latency[m].view(window.end)])) as Record<LatencyMetric, LatencyView>;
    return {
      completed: this.completed,
      errors: this.errors,
      overloaded: this.overloaded,
      timeouts: this.timeouts,
      cancelled: this.cancelled,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      onTime: this.onTime,
      exact: this.accuracy.hits,
      histograms: Object.fromEntries(Object.entries(this.histograms).map(([name, b]) => [name, b.view()])) as Record<HistogramName, HistogramCounts>,
      latency,
      throughput: this.throughput(window),
      accuracy: this.accuracy.figures(),
      energy,
    };
  }

  /**
   * Rates over windows ending at window.end. A window is shortened to the measured time
   * when the run is younger than it (10 queries in the first 5 s is 2 q/s, not 1).
   */
  private throughput(window: MeasuredWindow): ThroughputFigures {
    const { start, end } = window;
    const series = this.completions.perSecond(end, SPARKLINE_SECONDS);
    const tokenSeries = this.tokenArrivals.perSecond(end, SPARKLINE_SECONDS);
    const figures: ThroughputFigures = { qpsSeries: series.counts, tokensPerSecSeries: tokenSeries.tokens };
    if (start === undefined || end <= start) return figures;
    const measuredS = (end - start) / 1000;
    const span10 = Math.min(WINDOW_10S_MS, end - start);
    const span60 = Math.min(WINDOW_60S_MS, end - start);
    const last10 = this.completions.between(end - span10, end);
    const last60 = this.completions.between(end - span60, end);
    figures.qps10s = last10.count / (span10 / 1000);
    figures.qps60s = last60.count / (span60 / 1000);
    figures.qpsRun = this.completed / measuredS;
    figures.tokensPerSec10s = this.tokenArrivals.between(end - span10, end).tokens / (span10 / 1000);
    figures.tokensPerSecRun = this.outputTokens / measuredS;
    figures.goodput = this.onTime / measuredS;
    figures.correctOnTimePerSec = this.correctOnTime / measuredS;
    return figures;
  }
}
