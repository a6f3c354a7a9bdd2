/**
 * The measuring guard: is the client fast enough for the figures it takes? Pure: the run
 * samples the measuring threads, the main thread and the send lag once a second, and this
 * module judges each sample and sums them up for a run or a log.
 */

export type GuardVerdict = 'ok' | 'warn' | 'bound';

export interface ThreadLoad {
  /** Event-loop delay p99 and max over the interval (ms). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Share of the interval the thread was busy (0-1). */
  utilisation: number;
}

/** One second of the guard, as the session log keeps it. */
export interface MeasuringSample {
  intervalMs: number;
  /**
   * The busiest measuring (HTTP client) thread; absent when no model streams over HTTP.
   * chunks and busyMs sum every client thread: token-carrying chunks read, and busy time.
   */
  plane?: ThreadLoad & { workers: number; streams: number; chunks?: number; busyMs?: number };
  /** The main thread (scheduler, screen, log writer). */
  main: ThreadLoad;
  /** Send lag (sent - scheduled) of the requests sent in the interval. */
  sendLag?: { p99Ms: number; maxMs: number; count: number };
  verdict: GuardVerdict;
  /** Up to how many ms a timestamp taken in this interval may be late (the client threads' stall p99). */
  inflationMs: number;
  /** What tripped the guard, in a few words (absent when ok). */
  reason?: string;
}

/** Thresholds: below `warn` a figure is as good as the clock; above `bound` the client was the bottleneck. */
export const guardLimits = {
  loopDelayMs: { warn: 2, bound: 10 },
  sendLagMs: { warn: 2, bound: 10 },
  utilisation: { warn: 0.7, bound: 0.9 },
} as const;

/** Judges one interval. Stamps are taken on the measuring threads, so their loop delay bounds a timestamp's error; send lag bounds "from schedule" figures. */
export function judge(sample: Omit<MeasuringSample, 'verdict' | 'inflationMs' | 'reason'>): MeasuringSample {
  const checks: Array<{ value: number; limits: { warn: number; bound: number }; what: string }> = [];
  if (sample.plane) {
    checks.push({ value: sample.plane.loopDelayP99Ms, limits: guardLimits.loopDelayMs, what: `client thread stalls p99 ${round(sample.plane.loopDelayP99Ms)} ms` });
    checks.push({ value: sample.plane.utilisation, limits: guardLimits.utilisation, what: `client thread ${Math.round(sample.plane.utilisation * 100)}% busy` });
  }
  if (sample.sendLag && sample.sendLag.count > 0) {
    checks.push({ value: sample.sendLag.p99Ms, limits: guardLimits.sendLagMs, what: `sends late by p99 ${round(sample.sendLag.p99Ms)} ms` });
  }
  const bound = checks.filter((c) => c.value > c.limits.bound);
  const warn = checks.filter((c) => c.value > c.limits.warn);
  const verdict: GuardVerdict = bound.length > 0 ? 'bound' : warn.length > 0 ? 'warn' : 'ok';
  const inflationMs = sample.plane?.loopDelayP99Ms ?? 0;
  const reasons = (bound.length > 0 ? bound : warn).map((c) => c.what);
  return { ...sample, verdict, inflationMs, ...(reasons.length > 0 ? { reason: reasons.join(', ') } : {}) };
}

/** The guard over a run or a segment of it. */
export interface MeasuringFigures {
  latest?: MeasuringSample;
  samples: number;
  warnSamples: number;
  boundSamples: number;
  /** Share of the samples (0-1) in which the client was the bottleneck. */
  boundShare: number;
  /** Worst timestamp inflation seen in a sample that tripped the guard (warn or bound), ms. */
  worstInflationMs: number;
  /** Worst send lag p99 seen in a sample that tripped the guard, ms (absent: none measured). */
  worstLagMs?: number;
}

export class MeasuringTally {
  private latest?: MeasuringSample;
  private samples = 0;
  private warnSamples = 0;
  private boundSamples = 0;
  private worstInflationMs = 0;
  private worstLagMs?: number;

  add(sample: MeasuringSample): void {
    this.latest = sample;
    this.samples++;
    if (sample.verdict === 'warn') this.warnSamples++;
    if (sample.verdict === 'bound') this.boundSamples++;
    if (sample.verdict === 'ok') return;
    this.worstInflationMs = Math.max(this.worstInflationMs, sample.inflationMs);
    if (sample.sendLag) this.worstLagMs = Math.max(this.worstLagMs ?? 0, sample.sendLag.p99Ms);
  }

  figures(): MeasuringFigures {
    return {
      ...(this.latest ? { latest: this.latest } : {}),
      samples: this.samples,
      warnSamples: this.warnSamples,
      boundSamples: this.boundSamples,
      boundShare: this.samples === 0 ? 0 : this.boundSamples / this.samples,
      worstInflationMs: this.worstInflationMs,
      ...(this.worstLagMs !== undefined ? { worstLagMs: this.worstLagMs } : {}),
    };
  }
}

/**
 * The one line a summary, report or comparison prints about the guard, or undefined when
 * it never tripped. Two different harms, said apart: stalled client threads make
 * timestamps late (every figure); late sends offer less load than asked and inflate only
 * the figures taken from the schedule.
 */
export function guardLine(figures: MeasuringFigures): string | undefined {
  if (figures.samples === 0 || figures.warnSamples + figures.boundSamples === 0) return undefined;
  const what: string[] = [];
  if (figures.worstInflationMs > guardLimits.loopDelayMs.warn) what.push(`timestamps may be late by up to ${Math.ceil(figures.worstInflationMs)} ms`);
  if (figures.worstLagMs !== undefined && figures.worstLagMs > guardLimits.sendLagMs.warn) what.push(`sends ran up to ${Math.ceil(figures.worstLagMs)} ms behind schedule (in the from-schedule figures)`);
  if (what.length === 0) what.push('client threads over 70% busy');
  const when = figures.boundSamples > 0 ? `client-bound for ${Math.max(1, Math.round(figures.boundShare * 100))}% of the run` : `client under strain for ${figures.warnSamples} s of the run`;
  return `${when}: ${what.join('; ')}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
