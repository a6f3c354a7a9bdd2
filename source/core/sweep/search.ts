/**
 * The capacity search of one policy, as a pure state machine: bracket by doubling (or
 * halving) the load from `start` until a probe passes and a higher one fails, then
 * bisect between them (geometric midpoint for rates, integer midpoint for concurrency)
 * until the bracket is narrow enough. An unresolved probe is never taken for a pass or a
 * fail: the search goes on outward (doubling above it, halving below it) until it has a
 * definite pass and fail, and then stops instead of bisecting across it, since its
 * attainment is statistically indistinguishable from the target.
 */
export type Verdict = 'pass' | 'fail' | 'unresolved';
export type SweepMode = 'rate' | 'concurrency';

export interface SearchOptions {
  mode: SweepMode;
  start: number;
  /** Loads the search stays within. */
  min: number;
  max: number;
  /** Stop bisecting once high / low <= 1 + tolerance (rate mode; concurrency stops at adjacent integers). */
  tolerance: number;
  maxProbes: number;
}

export type SearchEnd =
  /** A passing load below a failing one, as close as the tolerance asks. */
  | 'bracketed'
  /** Probes ran out before the bracket was narrow enough (still bracketed, just wider). */
  | 'probe-limit'
  /** Even the smallest load failed. */
  | 'below-min'
  /** Even the largest load passed. */
  | 'above-max'
  | 'unresolved'
  /** Stopped from outside before it ended (interrupted run, skipped policy). */
  | 'interrupted'
  /** Fixed grid points, all probed. */
  | 'grid';

export interface SearchResult {
  /** Highest passing load below every failing one (the capacity), and the lowest failing load. */
  low?: number;
  high?: number;
  /** Unresolved probes' loads. */
  unresolved: number[];
  end?: SearchEnd;
}

/** What the driver needs of a search: the next load, and each probe's verdict. */
export interface LoadPlan {
  next(): number | undefined;
  record(load: number, verdict: Verdict): void;
  abandon(): void;
  result(): SearchResult;
}

export class CapacitySearch implements LoadPlan {
  private readonly probes: Array<{ load: number; verdict: Verdict }> = [];
  private ended?: SearchEnd;

  constructor(private readonly options: SearchOptions) {}

  /** The next load to probe, or undefined when the search is over. */
  next(): number | undefined {
    if (this.ended) return undefined;
    const { min, max, start, mode, tolerance } = this.options;
    if (this.probes.length === 0) return clamp(round(start, mode), min, max);
    const { low, high } = this.bracket();
    const loads = this.probes.map((p) => p.load);
    if (low !== undefined && high !== undefined && this.probes.some((p) => p.verdict === 'unresolved' && p.load > low && p.load < high)) return this.stop('unresolved');
    if (this.probes.length >= this.options.maxProbes) return this.stop('probe-limit');
    if (high === undefined) {
      const top = Math.max(...loads);
      if (top >= max) return this.stop('above-max');
      return this.fresh(Math.min(max, round(top * 2, mode)));
    }
    if (low === undefined) {
      const bottom = Math.min(...loads);
      if (bottom <= min) return this.stop('below-min');
      return this.fresh(Math.max(min, round(bottom / 2, mode)));
    }
    if (mode === 'concurrency' ? high - low <= 1 : high / low <= 1 + tolerance) return this.stop('bracketed');
    const mid = mode === 'concurrency' ? Math.floor((low + high) / 2) : round(Math.sqrt(low * high), mode);
    // Rounding can land on an end of the bracket: then it is as narrow as it gets.
    if (mid <= low || mid >= high) return this.stop('bracketed');
    return mid;
  }

  record(load: number, verdict: Verdict): void {
    this.probes.push({ load, verdict });
  }

  /** Ends the search early (a skipped policy, an interrupted run). */
  abandon(): void {
    this.ended ??= 'interrupted';
  }

  result(): SearchResult {
    return {
      ...this.bracket(),
      unresolved: this.probes.filter((p) => p.verdict === 'unresolved').map((p) => p.load),
      ...(this.ended ? { end: this.ended } : {}),
    };
  }

  private bracket(): { low?: number; high?: number } {
    return bracketOf(this.probes);
  }

  /** A load not probed yet; one already probed means the bracket cannot move: stop. */
  private fresh(load: number): number | undefined {
    if (this.probes.some((p) => p.load === load)) return this.stop(this.bracket().high === undefined ? 'above-max' : 'below-min');
    return load;
  }

  private stop(end: SearchEnd): undefined {
    this.ended = end;
    return undefined;
  }
}

/** `--grid`: fixed loads, each probed once, in order; the capacity is read off them the same way. */
export class GridPoints implements LoadPlan {
  private readonly probes: Array<{ load: number; verdict: Verdict }> = [];
  private ended = false;

  constructor(private readonly loads: readonly number[]) {}

  next(): number | undefined {
    return this.ended ? undefined : this.loads[this.probes.length];
  }

  record(load: number, verdict: Verdict): void {
    this.probes.push({ load, verdict });
  }

  abandon(): void {
    this.ended = true;
  }

  result(): SearchResult {
    const unresolved = this.probes.filter((p) => p.verdict === 'unresolved').map((p) => p.load);
    const complete = this.probes.length >= this.loads.length;
    return { ...bracketOf(this.probes), unresolved, end: complete ? 'grid' : 'interrupted' };
  }
}

/** The highest pass below every fail, and the lowest fail. */
function bracketOf(probes: ReadonlyArray<{ load: number; verdict: Verdict }>): { low?: number; high?: number } {
  let high: number | undefined;
  for (const p of probes) if (p.verdict === 'fail' && (high === undefined || p.load < high)) high = p.load;
  let low: number | undefined;
  for (const p of probes) if (p.verdict === 'pass' && (high === undefined || p.load < high) && (low === undefined || p.load > low)) low = p.load;
  return { ...(low === undefined ? {} : { low }), ...(high === undefined ? {} : { high }) };
}

/** Concurrency is a whole number; rates keep 3 significant digits (readable, and distinct enough). */
export function round(load: number, mode: SweepMode): number {
  if (mode === 'concurrency') return Math.max(1, Math.round(load));
  return Number(load.toPrecision(3));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
