import { parseDuration } from '../duration.js';
import { errorMessage, UsageError } from '../errors.js';
import type { SloTargets } from '../metrics/latency-values.js';
import { policyNames } from '../profile/schema.js';
import { parseRunFlags, type RawRunFlags, type RunFlags } from '../run/flags.js';
import { probeQuestionsFor } from './probe.js';
import type { SweepMode } from './search.js';

/** `duet sweep` flags as meow hands them over: the run's, minus the load and policy ones, plus the sweep's. */
export interface RawSweepFlags extends Omit<RawRunFlags, 'concurrency' | 'rate' | 'policy' | 'limit' | 'duration' | 'metricsPort' | 'metricsHost'> {
  policies?: string;
  slo?: string;
  attainment?: string;
  mode?: string;
  grid?: string;
  start?: string;
  min?: string;
  max?: string;
  probeQuestions?: string;
  probeWarmup?: string;
  maxProbes?: string;
  report?: string;
  resume?: string;
  from?: string;
}

export interface SweepFlags {
  run: RunFlags;
  policies: string[];
  /** Replaces the profile's SLO when given. */
  slo?: SloTargets;
  attainment: number;
  mode: SweepMode;
  grid?: number[];
  start: number;
  /** Lowest load the search tries (halving stops there: "below-min"). */
  min: number;
  max: number;
  probeQuestions: number;
  probeWarmup?: number;
  maxProbes: number;
  /** HTML report path (default: next to the log). */
  report?: string;
  /** Resume the sweep in this log; or only report on it (`from`). */
  resume?: string;
  from?: string;
}

const SLO_KEYS: Record<string, keyof SloTargets> = { ttft: 'ttftMs', tpot: 'tpotMs', itl: 'tpotMs', e2e: 'e2eMs' };

/** `ttft=500ms,e2e=5s,itl=50ms` (itl is the request's mean inter-token latency, i.e. TPOT). */
export function parseSlo(text: string): SloTargets {
  const slo: SloTargets = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [key, value, extra] = part.split('=').map((p) => p.trim());
    const field = key === undefined ? undefined : SLO_KEYS[key];
    if (!field || value === undefined || value === '' || extra !== undefined) {
      throw new UsageError(`--slo: expected metric=duration pairs like ttft=500ms,e2e=5s (metrics: ttft, tpot or itl, e2e), got "${part}"`);
    }
    let ms: number;
    try {
      ms = parseDuration(value, `--slo ${key}`);
    } catch (error) {
      throw new UsageError(errorMessage(error));
    }
    if (!(ms > 0)) throw new UsageError(`--slo ${key}: expected a positive duration, got "${value}"`);
    slo[field] = ms;
  }
  if (Object.keys(slo).length === 0) throw new UsageError('--slo: expected at least one metric=duration pair, e.g. e2e=5s');
  return slo;
}

export function parseSweepFlags(raw: RawSweepFlags): SweepFlags {
  const { policies, slo, attainment, mode, grid, start, min, max, probeQuestions, probeWarmup, maxProbes, report, resume, from, ...runRaw } = raw;
  const run = parseRunFlags(runRaw);
  const sweepMode = mode === undefined ? 'rate' : mode === 'rate' || mode === 'concurrency' ? mode : usage(`--mode: expected rate or concurrency, got "${mode}"`);
  const target = attainment === undefined ? 0.9 : fraction(attainment);
  const first = start === undefined ? (sweepMode === 'rate' ? 2 : 1) : load(start, '--start', sweepMode);
  const flags: SweepFlags = {
    run,
    policies: policies === undefined ? [...policyNames] : policyList(policies),
    attainment: target,
    mode: sweepMode,
    start: first,
    // A rate-mode probe lasts count / rate: below an eighth of the start, probes get slow.
    min: min === undefined ? (sweepMode === 'rate' ? first / 8 : 1) : load(min, '--min', sweepMode),
    max: max === undefined ? (sweepMode === 'rate' ? 1000 : 1024) : load(max, '--max', sweepMode),
    probeQuestions: probeQuestions === undefined ? probeQuestionsFor(target) : wholeNumber(probeQuestions, '--probe-questions', 1),
    maxProbes: maxProbes === undefined ? 6 : wholeNumber(maxProbes, '--max-probes', 1),
  };
  if (slo !== undefined) flags.slo = parseSlo(slo);
  if (grid !== undefined) flags.grid = grid.split(',').map((g) => load(g.trim(), '--grid', sweepMode));
  if (probeWarmup !== undefined) flags.probeWarmup = wholeNumber(probeWarmup, '--probe-warmup', 0);
  if (flags.start > flags.max) usage(`--start: ${flags.start} is above --max ${flags.max}`);
  if (flags.min > flags.start) usage(`--min: ${flags.min} is above --start ${flags.start}`);
  if (report !== undefined) flags.report = nonEmpty(report, '--report');
  if (resume !== undefined) flags.resume = nonEmpty(resume, '--resume');
  if (from !== undefined) flags.from = nonEmpty(from, '--from');
  if (flags.resume && flags.from) usage('--resume and --from: choose one (continue a sweep, or only report on it)');
  return flags;
}

function policyList(text: string): string[] {
  const names = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (names.length === 0) usage(`--policies: expected a comma-separated list of ${policyNames.join(', ')}`);
  for (const name of names) {
    if (!(policyNames as readonly string[]).includes(name)) usage(`--policies: expected names from ${policyNames.join(', ')}, got "${name}"`);
  }
  return [...new Set(names)];
}

function fraction(text: string): number {
  const value = /^\s*(0?\.\d+|0|1(\.0*)?)\s*$/.test(text) ? Number(text) : NaN;
  if (!(value > 0 && value < 1)) usage(`--attainment: expected a fraction between 0 and 1 (exclusive), e.g. 0.99, got "${text}"`);
  return value;
}

function load(text: string, flag: string, mode: SweepMode): number {
  const value = /^\+?(\d+\.?\d*|\.\d+)$/.test(text.trim()) ? Number(text) : NaN;
  if (mode === 'concurrency' && !(Number.isSafeInteger(value) && value >= 1)) usage(`${flag}: expected whole numbers >= 1 (concurrency), got "${text}"`);
  if (!(value > 0)) usage(`${flag}: expected positive numbers (questions/s), got "${text}"`);
  return value;
}

function wholeNumber(text: string, flag: string, min: number): number {
  const value = /^\+?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(value) && value >= min)) usage(`${flag}: expected a whole number >= ${min}, got "${text}"`);
  return value;
}

function nonEmpty(text: string, flag: string): string {
  if (text.trim() === '') usage(`${flag}: expected a file path`);
  return text;
}

function usage(message: string): never {
  throw new UsageError(message);
}
