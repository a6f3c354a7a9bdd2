import { parseDuration } from '../duration.js';
import { errorMessage, UsageError } from '../errors.js';
import type { ProfileOverrides } from '../profile/loader.js';
import { policyNames, type PolicyName } from '../profile/schema.js';

/** `duet run` flags as meow hands them over (numbers as strings, validated here). */
export interface RawRunFlags {
  profile?: string;
  headless?: boolean;
  json?: boolean;
  concurrency?: string;
  rate?: string;
  /** vLLM/GuideLLM spellings: --request-rate = --rate, --num-prompts = --limit, --max-seconds S = --duration Ss. */
  requestRate?: string;
  numPrompts?: string;
  maxSeconds?: string;
  /** With a rate: at most N outstanding (open loop, capped); alone: --concurrency N. */
  maxConcurrency?: string;
  burstiness?: string;
  inputTokens?: string;
  maxNewTokens?: string;
  weight?: string;
  cascadeThreshold?: string;
  sloTtftMs?: string;
  sloTpotMs?: string;
  sloE2eMs?: string;
  policy?: string;
  limit?: string;
  duration?: string;
  seed?: string;
  shuffle?: boolean;
  warmup?: string;
  dataset?: string;
  promptMode?: string;
  telemetry?: string;
  /** A path, or false for --no-log. */
  log?: string | boolean;
  appendLog?: boolean;
  metricsPort?: string;
  metricsHost?: string;
}

/** Profile settings the flags override: the loader's overrides, with the policy already checked. */
export type RunOverrides = ProfileOverrides & { policy?: PolicyName };

export interface RunFlags {
  profile?: string;
  headless: boolean;
  json: boolean;
  overrides: RunOverrides;
  /** undefined: the default path; false: --no-log. */
  log?: string | false;
  /** Add this run to an existing --log file (readers split the runs at their headers). */
  appendLog?: boolean;
  /** Serve the run's live figures for Prometheus on this port (0 = any free port). */
  metricsPort?: number;
  metricsHost?: string;
}

const telemetrySources = ['auto', 'npu-smi', 'nvidia-smi', 'rapl', 'prometheus', 'system', 'none'];

/** Validates the flags; every mistake is one UsageError line (exit 2) naming the flag. */
export function parseRunFlags(given: RawRunFlags): RunFlags {
  const raw = withAliases(given);
  const overrides: RunOverrides = {};
  if (raw.concurrency !== undefined && raw.rate !== undefined) throw new UsageError('--concurrency and --rate: choose one (closed loop or open loop)');
  if (raw.maxConcurrency !== undefined) {
    const n = positiveInt(raw.maxConcurrency, '--max-concurrency');
    if (raw.concurrency !== undefined) throw new UsageError('--max-concurrency and --concurrency: give one (with --rate, --max-concurrency caps the open loop)');
    if (raw.rate !== undefined) overrides.maxConcurrency = n;
    else overrides.concurrency = n;
  }
  if (raw.burstiness !== undefined) overrides.burstiness = positiveNumber(raw.burstiness, '--burstiness', 'the gamma shape of arrivals: 1 is Poisson, below 1 burstier');
  if (raw.inputTokens !== undefined) overrides.inputTokens = positiveInt(raw.inputTokens, '--input-tokens');
  if (raw.maxNewTokens !== undefined) overrides.maxNewTokens = positiveInt(raw.maxNewTokens, '--max-new-tokens');
  if (raw.weight !== undefined) {
    const weight = Number(raw.weight);
    if (!/^\s*[+]?(\d+\.?\d*|\.\d+)\s*$/.test(raw.weight) || weight > 1) throw new UsageError(`--weight: expected a share of traffic to A from 0 to 1, got "${raw.weight}"`);
    overrides.weight = weight;
  }
  if (raw.cascadeThreshold !== undefined) {
    const threshold = Number(raw.cascadeThreshold);
    if (raw.cascadeThreshold.trim() === '' || !Number.isFinite(threshold)) throw new UsageError(`--cascade-threshold: expected a mean log-probability such as -1.5, got "${raw.cascadeThreshold}"`);
    overrides.cascadeThreshold = threshold;
  }
  if (raw.sloTtftMs !== undefined) overrides.sloTtftMs = positiveNumber(raw.sloTtftMs, '--slo-ttft-ms', 'milliseconds');
  if (raw.sloTpotMs !== undefined) overrides.sloTpotMs = positiveNumber(raw.sloTpotMs, '--slo-tpot-ms', 'milliseconds');
  if (raw.sloE2eMs !== undefined) overrides.sloE2eMs = positiveNumber(raw.sloE2eMs, '--slo-e2e-ms', 'milliseconds');
  if (raw.concurrency !== undefined) overrides.concurrency = positiveInt(raw.concurrency, '--concurrency');
  // A value is named by the spelling it was given in.
  if (raw.rate !== undefined) overrides.rate = positiveNumber(raw.rate, given.requestRate === undefined ? '--rate' : '--request-rate', 'questions per second');
  if (raw.limit !== undefined) overrides.limit = positiveInt(raw.limit, given.numPrompts === undefined ? '--limit' : '--num-prompts');
  if (raw.warmup !== undefined) overrides.warmup = nonNegativeInt(raw.warmup, '--warmup');
  if (raw.seed !== undefined) overrides.seed = integer(raw.seed, '--seed');
  if (raw.duration !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(raw.duration, '--duration');
    } catch (error) {
      throw new UsageError(errorMessage(error));
    }
    if (ms <= 0) throw new UsageError(`--duration: expected a positive duration like 30s or 5m, got "${raw.duration}"`);
    overrides.duration = raw.duration;
  }
  if (raw.policy !== undefined) {
    if (!(policyNames as readonly string[]).includes(raw.policy)) throw new UsageError(`--policy: expected one of ${policyNames.join(', ')}, got "${raw.policy}"`);
    overrides.policy = raw.policy as PolicyName;
  }
  if (raw.promptMode !== undefined) {
    if (raw.promptMode !== 'max' && raw.promptMode !== 'exact') throw new UsageError(`--prompt-mode: expected max or exact, got "${raw.promptMode}"`);
    overrides.promptMode = raw.promptMode;
  }
  if (raw.telemetry !== undefined) {
    if (!telemetrySources.includes(raw.telemetry)) throw new UsageError(`--telemetry: expected one of ${telemetrySources.join(', ')}, got "${raw.telemetry}"`);
    overrides.telemetrySource = raw.telemetry;
  }
  if (raw.dataset !== undefined) overrides.dataset = nonEmpty(raw.dataset, '--dataset', 'a SQuAD JSON file');
  if (raw.shuffle) overrides.shuffle = true;
  let log: string | false | undefined;
  if (raw.log === false) log = false;
  else if (typeof raw.log === 'string') log = nonEmpty(raw.log, '--log', 'a file path');
  if (raw.json && raw.headless === false) throw new UsageError('--json: only with --headless');
  const flags: RunFlags = { headless: Boolean(raw.headless || raw.json), json: Boolean(raw.json), overrides };
  if (raw.profile !== undefined) flags.profile = nonEmpty(raw.profile, '--profile', 'a YAML profile path');
  if (log !== undefined) flags.log = log;
  if (raw.appendLog) {
    if (log === false) throw new UsageError('--append-log: not with --no-log');
    flags.appendLog = true;
  }
  if (raw.metricsPort !== undefined) {
    const port = /^\d+$/.test(raw.metricsPort.trim()) ? Number(raw.metricsPort) : NaN;
    if (!(port >= 0 && port <= 65535)) throw new UsageError(`--metrics-port: expected a port from 0 to 65535, got "${raw.metricsPort}"`);
    flags.metricsPort = port;
  }
  if (raw.metricsHost !== undefined) {
    if (raw.metricsPort === undefined) throw new UsageError('--metrics-host: only with --metrics-port');
    flags.metricsHost = nonEmpty(raw.metricsHost, '--metrics-host', 'an address to listen on (e.g. 127.0.0.1 or 0.0.0.0)');
  }
  return flags;
}

/** Folds the other tools' spellings into duet's; giving both spellings of one setting is a mistake. */
function withAliases(raw: RawRunFlags): RawRunFlags {
  const out: RawRunFlags = { ...raw };
  const fold = (alias: string | undefined, aliasFlag: string, key: 'rate' | 'limit' | 'duration', flag: string, convert: (value: string) => string = (v) => v) => {
    if (alias === undefined) return;
    if (raw[key] !== undefined) throw new UsageError(`${aliasFlag} and ${flag}: the same setting, give one`);
    out[key] = convert(alias);
  };
  fold(raw.requestRate, '--request-rate', 'rate', '--rate');
  fold(raw.numPrompts, '--num-prompts', 'limit', '--limit');
  fold(raw.maxSeconds, '--max-seconds', 'duration', '--duration', (seconds) => `${positiveNumber(seconds, '--max-seconds', 'seconds')}s`);
  return out;
}

function nonEmpty(value: string, flag: string, what: string): string {
  if (value.trim() === '') throw new UsageError(`${flag}: expected ${what}`);
  return value;
}

function integer(text: string, flag: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`${flag}: expected a whole number, got "${text}"`);
  return Number(text);
}

function positiveInt(text: string, flag: string): number {
  const value = /^\+?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`${flag}: expected a positive whole number, got "${text}"`);
  return value;
}

function nonNegativeInt(text: string, flag: string): number {
  const value = /^\+?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${flag}: expected a whole number >= 0, got "${text}"`);
  return value;
}

function positiveNumber(text: string, flag: string, unit: string): number {
  const value = /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag}: expected a positive number (${unit}), got "${text}"`);
  return value;
}
