import { cpus, freemem, totalmem, type, release, arch } from 'node:os';
import { basename } from 'node:path';
import type { EngineInfo, ModelSlot } from '../engines/engine.js';
import type { Profile } from '../profile/schema.js';
import { REDACTED, redactArgs, redactText } from '../secrets.js';

/** Host facts for the log header (node:os only: instant, no child processes). */
export interface HostFacts {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  freeMemoryBytes: number;
  os: string;
  arch: string;
  node: string;
  /** Accelerator names when telemetry knows them (e.g. "Ascend910B3"). */
  accelerators?: string[];
}

/** First line of every session log; see writer.ts for the whole format. */
export interface SessionHeader {
  kind: 'duet-session';
  schema: 1;
  duetVersion: string;
  /** Wall-clock start of the run (ISO 8601); event `t`s are ms on the run's monotonic clock. */
  wallStart: string;
  /** The profile as run (flags applied), secrets redacted. */
  profile: unknown;
  host: HostFacts;
  models: Record<ModelSlot, EngineInfo>;
  dataset: { path: string; hash?: string; questions: number };
}

export function collectHostFacts(): HostFacts {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    os: `${type()} ${release()}`,
    arch: arch(),
    node: process.version,
  };
}

export function buildSessionHeader(input: {
  duetVersion: string;
  wallStart: string;
  profile: Profile;
  models: Record<ModelSlot, EngineInfo>;
  dataset: { path: string; hash?: string; questions: number };
  host?: HostFacts;
}): SessionHeader {
  return {
    kind: 'duet-session',
    schema: 1,
    duetVersion: input.duetVersion,
    wallStart: input.wallStart,
    profile: redactSecrets(input.profile),
    host: input.host ?? collectHostFacts(),
    models: { A: redactSecrets(input.models.A), B: redactSecrets(input.models.B) },
    dataset: input.dataset,
  };
}

export { REDACTED } from '../secrets.js';
const SECRET_KEY = /(api[-_]?key|token|secret|password|passwd|authorization|credential)s?$/i;

/**
 * A deep copy with secrets replaced: every value under an `env` map (launch environments
 * carry keys), values of secret-looking keys, and in strings and argument lists what
 * secrets.ts hides (`--api-key X`, `--token=X`, `Authorization: ...` headers, URL passwords).
 * `apiKeyEnv` names a variable and stays.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, undefined) as T;
}

function redact(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && key !== 'apiKeyEnv' && SECRET_KEY.test(key)) return REDACTED;
    return redactText(value);
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => redact(item, undefined));
    return items.every((item) => typeof item === 'string') ? redactArgs(items as string[]) : items;
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'env' && v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).map((name) => [name, REDACTED])) : redact(v, k);
  }
  return out;
}

/** `logs/<YYYYMMDD-HHMMSS>-<profile>.jsonl` under `cwd`, in local time. */
export function defaultLogPath(profileName: string | undefined, now: Date, cwd = '.'): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const name = (profileName ?? 'run').replace(/[^A-Za-z0-9._-]+/g, '-') || 'run';
  return `${cwd.replace(/\/$/, '')}/logs/${stamp}-${basename(name)}.jsonl`;
}
