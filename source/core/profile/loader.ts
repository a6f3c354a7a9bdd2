import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { parseDuration } from '../duration.js';
import { errorMessage, UserError } from '../errors.js';
import { readUserFile } from '../files/read.js';
import { profileSchema, type Profile } from './schema.js';
import { profileProblems } from './rules.js';

/** Profile fields that command-line flags override (flag = --kebab-case of the key). */
export interface ProfileOverrides {
  dataset?: string;
  limit?: number;
  concurrency?: number;
  rate?: number;
  policy?: string;
  duration?: string;
  seed?: number;
  shuffle?: boolean;
  warmup?: number;
  promptMode?: 'max' | 'exact';
  telemetrySource?: string;
  maxNewTokens?: number;
  inputTokens?: number;
  /** Open loop: gamma shape of the arrivals, and a cap on questions outstanding. */
  burstiness?: number;
  maxConcurrency?: number;
  weight?: number;
  cascadeThreshold?: number;
  sloTtftMs?: number;
  sloTpotMs?: number;
  sloE2eMs?: number;
}

/** The embedded default profile (profiles/default.yaml in the package). */
export const defaultProfilePath = fileURLToPath(new URL('../../../profiles/default.yaml', import.meta.url));

type Json = Record<string, unknown>;

const flagOf = (key: keyof ProfileOverrides) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Where each override lands in the profile, so that errors can name the flag instead of the file. */
const overridePaths: Record<Exclude<keyof ProfileOverrides, 'concurrency' | 'rate' | 'burstiness' | 'maxConcurrency'>, string[]> = {
  dataset: ['workload', 'dataset'],
  limit: ['workload', 'limit'],
  policy: ['scheduler', 'policy'],
  duration: ['workload', 'duration'],
  seed: ['workload', 'seed'],
  shuffle: ['workload', 'shuffle'],
  warmup: ['workload', 'warmup'],
  promptMode: ['workload', 'promptMode'],
  telemetrySource: ['telemetry', 'source'],
  maxNewTokens: ['workload', 'maxNewTokens'],
  inputTokens: ['workload', 'inputTokens'],
  weight: ['scheduler', 'weight'],
  cascadeThreshold: ['scheduler', 'cascadeThreshold'],
  sloTtftMs: ['slo', 'ttftMs'],
  sloTpotMs: ['slo', 'tpotMs'],
  sloE2eMs: ['slo', 'e2eMs'],
};

function child(parent: Json, key: string): Json {
  const value = parent[key];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  const created: Json = {};
  parent[key] = created;
  return created;
}

/** Writes the overrides into the raw profile; returns profile path -> flag for the ones given. */
function applyOverrides(raw: Json, overrides: ProfileOverrides): Map<string, string> {
  const flags = new Map<string, string>();
  for (const [key, where] of Object.entries(overridePaths) as [keyof typeof overridePaths, string[]][]) {
    const value = overrides[key];
    if (value === undefined) continue;
    const parent = where.slice(0, -1).reduce(child, raw);
    // Paths from flags are relative to where the user stands, not to the profile.
    parent[where.at(-1)!] = key === 'dataset' ? path.resolve(String(value)) : value;
    flags.set(where.join('.'), flagOf(key));
  }
  if (overrides.concurrency !== undefined && overrides.rate !== undefined) {
    throw new UserError('--concurrency (closed loop) and --rate (open loop) exclude each other: give one');
  }
  const workload = child(raw, 'workload');
  if (overrides.concurrency !== undefined) {
    workload['load'] = { mode: 'closed', concurrency: overrides.concurrency };
    flags.set('workload.load.concurrency', '--concurrency');
  }
  if (overrides.rate !== undefined) {
    const previous = workload['load'] as Json | undefined;
    const kept = previous?.['mode'] === 'open' ? Object.fromEntries(['burstiness', 'maxConcurrency'].filter((k) => k in previous).map((k) => [k, previous[k]])) : {};
    workload['load'] = { mode: 'open', rate: overrides.rate, ...kept };
    flags.set('workload.load.rate', '--rate');
  }
  for (const key of ['burstiness', 'maxConcurrency'] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    const load = workload['load'] as Json | undefined;
    if (load?.['mode'] !== 'open') throw new UserError(`${flagOf(key)}: only with an open loop (--rate, or workload.load.mode: open in the profile)`);
    load[key] = value;
    flags.set(`workload.load.${key}`, flagOf(key));
  }
  return flags;
}

function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${String(segment)}`;
  return out || '(root)';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** One zod issue as "field: expected ..., got ...". */
function formatIssue(issue: z.core.$ZodIssue): { at: string; message: string } {
  const at = formatPath(issue.path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys':
      return { at: formatPath([...issue.path, issue.keys[0]!]), message: `unknown key${issue.keys.length > 1 ? ` (also unknown: ${issue.keys.slice(1).join(', ')})` : ''}` };
    case 'invalid_type': {
      const expected = issue.message.startsWith('expected ') ? issue.message : `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
      return { at, message: input === undefined ? `missing, ${expected}` : `${expected}, got ${describe(input)}` };
    }
    case 'invalid_value':
      return { at, message: `expected one of ${issue.values.map(String).join(', ')}, got ${describe(input)}` };
    case 'invalid_union': {
      const union = issue as unknown as { options?: unknown[]; discriminator?: string };
      if (union.options && union.discriminator) {
        const got = typeof input === 'object' && input !== null ? (input as Json)[union.discriminator] : input;
        return { at, message: `expected one of ${union.options.map(String).join(', ')}, got ${describe(got)}` };
      }
      return { at, message: `${issue.message}, got ${describe(input)}` };
    }
    case 'too_small':
    case 'too_big':
      if (at === 'models') return { at, message: `expected exactly two models (A: small, B: large), got ${describe(input)}` };
      if (issue.origin === 'string') return { at, message: `expected a non-empty string, got ${describe(input)}` };
      return { at, message: `${issue.message}, got ${describe(input)}` };
    default:
      return { at, message: `${issue.message}${input === undefined ? '' : `, got ${describe(input)}`}` };
  }
}

function parseYaml(yamlText: string, file: string): unknown {
  const doc = parseDocument(yamlText, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const before = yamlText.slice(0, error.pos[0]);
    const where = ` at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
    throw new UserError(`${file}: YAML syntax error${where}: ${error.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml library refuses alias bombs ("billion laughs") and the like while building values.
    throw new UserError(`${file}: YAML cannot be loaded: ${errorMessage(error).split('\n')[0]}`);
  }
}

/**
 * Parses and validates a profile. Overrides (flags) are applied before validation, so that
 * their mistakes are reported like the file's. Relative paths in the file are resolved from the
 * file's folder; the dataset from a flag from the current directory. No I/O.
 */
export function parseProfile(yamlText: string, file: string, overrides: ProfileOverrides = {}): Profile {
  const parsed = parseYaml(yamlText, file);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`${file}: expected a mapping with models and workload, got ${describe(parsed)}`);
  }
  const raw = parsed as Json;
  const flags = applyOverrides(raw, overrides);
  const result = profileSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const { at, message } = formatIssue(result.error.issues[0]!);
    const flag = flags.get(at);
    throw new UserError(flag ? `${flag}: ${message}` : `${file}: ${at}: ${message}`);
  }
  const profile = result.data;
  const problem = profileProblems(profile, file)[0];
  if (problem) throw new UserError(`${problem.message}; ${problem.fix}`);
  if (profile.workload.duration !== undefined) {
    const where = flags.get('workload.duration') ?? `${file}: workload.duration`;
    // As for --duration: a run that ends before it starts is a mistake, not a request.
    if (parseDuration(profile.workload.duration, where) <= 0) throw new UserError(`${where}: expected a positive duration like 30s or 5m, got "${profile.workload.duration}"`);
  }
  const base = path.dirname(path.resolve(file));
  const resolve = (p: string) => path.resolve(base, p);
  profile.workload.dataset = resolve(profile.workload.dataset);
  for (const model of profile.models) {
    if (model.path !== undefined) model.path = resolve(model.path);
    if (model.launch?.cwd !== undefined) model.launch.cwd = resolve(model.launch.cwd);
  }
  return profile;
}

export async function loadProfile(file: string, overrides: ProfileOverrides = {}): Promise<Profile & { path: string }> {
  // A profile is a page of YAML: a megabyte is a wrong path.
  const text = (await readUserFile(file, { what: 'profile', maxBytes: 1024 * 1024, notFound: 'profile not found' })).toString('utf8');
  return { ...parseProfile(text, file, overrides), path: path.resolve(file) };
}
