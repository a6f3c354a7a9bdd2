/**
 * The real I/O behind the doctor checks. Each probe throws one clear line (usually a
 * UserError from the module that owns the concept) so the checks stay pure and tests
 * can swap every probe.
 */
import { constants, existsSync } from 'node:fs';
import { access, open, rm } from 'node:fs/promises';
import { ensureDir } from '../files/dirs.js';
import { readUserFile } from '../files/read.js';
import { createServer } from 'node:net';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadSquad } from '../dataset/squad.js';
import { loadLlama3Tokenizer } from '../dataset/tokenizer.js';
import { errorMessage, UserError } from '../errors.js';
import { profileSchema, type Profile } from '../profile/schema.js';
import { defaultTelemetryDeps } from '../telemetry/sources.js';
import type { TelemetryDeps } from '../telemetry/source.js';

export type DoctorProfile = Profile & { path: string };

export interface ModelInspection {
  /** The graph's input names, as onnxruntime reports them. */
  inputs: string[];
  layers: number;
  /** config.json vocab_size, when given. */
  configVocab?: number;
  /** Size of the folder's tokenizer vocabulary. */
  tokenizerVocab: number;
}

export type DemoState = 'not-demo' | 'current' | 'missing';

export interface DoctorProbes {
  nodeVersion: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  listBackends(): Promise<string[]>;
  defaultProfilePath(): Promise<string>;
  loadProfile(path: string): Promise<DoctorProfile>;
  /** Whether `path` names one of duet's demo models, and whether it is built. */
  demoState(path: string): Promise<DemoState>;
  inspectModel(path: string, providers: readonly string[]): Promise<ModelInspection>;
  loadTokenizer(): Promise<{ vocabSize: number }>;
  loadDataset(path: string): Promise<{ questions: number }>;
  telemetryDeps: TelemetryDeps;
  portFree(port: number, host: string): Promise<boolean>;
  fetch: typeof fetch;
  commandExists(command: string, cwd: string): Promise<boolean>;
  /** Throws when a file cannot be created in `dir`. */
  writableDir(dir: string): Promise<void>;
}

interface LoaderModule {
  loadProfile(path: string, overrides?: Record<string, never>): Promise<DoctorProfile>;
  defaultProfilePath?: string;
}

/** The profile loader when it is installed (it owns path resolution and cross-field rules). */
async function loader(): Promise<LoaderModule | undefined> {
  const url = new URL('../profile/loader.js', import.meta.url);
  if (!existsSync(url) && !existsSync(new URL(url.href.replace(/\.js$/, '.ts')))) return undefined;
  return (await import('../profile/loader.js' as string)) as LoaderModule;
}

/** Without the loader: YAML + the schema, the first problem as one line with its key path. */
export async function parseProfileFile(path: string): Promise<DoctorProfile> {
  // Only a regular file of sensible size: a FIFO or /dev/zero would hang the doctor.
  const text = (await readUserFile(path, { what: 'profile', maxBytes: 1024 * 1024 })).toString('utf8');
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new UserError(`${path}: not valid YAML (${errorMessage(error).split('\n')[0]})`);
  }
  const parsed = profileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` (${issue.keys.join(', ')})` : '';
    throw new UserError(`${path}: ${issue.path.join('.') || '(top)'}: ${issue.message}${keys}`);
  }
  const base = dirname(resolve(path));
  const profile = parsed.data;
  const fromProfile = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  return {
    ...profile,
    models: profile.models.map((m) => (m.path ? { ...m, path: fromProfile(m.path) } : m)) as Profile['models'],
    workload: { ...profile.workload, dataset: fromProfile(profile.workload.dataset) },
    path,
  };
}

async function inspectModel(path: string, providers: readonly string[]): Promise<ModelInspection> {
  const { readModelFiles } = await import('../engines/onnx/model-files.js');
  const { openSession, describeIO } = await import('../engines/onnx/session.js');
  const files = readModelFiles(path);
  const tokenizer = await loadLlama3Tokenizer(files.dir);
  const session = await openSession(files.onnxPath, { executionProviders: providers, intraOpThreads: 1 });
  try {
    const io = describeIO(session, files.config, files.onnxPath);
    return {
      inputs: [...session.inputNames],
      layers: io.layers,
      ...(files.config.vocab_size ?? io.vocab ? { configVocab: files.config.vocab_size ?? io.vocab } : {}),
      tokenizerVocab: tokenizer.vocabSize,
    };
  } finally {
    await session.release();
  }
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });
}

async function commandExists(command: string, cwd: string): Promise<boolean> {
  const candidates = command.includes('/') ? [resolve(cwd, command)] : (process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const file of candidates) {
    try {
      await access(file, constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

async function writableDir(dir: string): Promise<void> {
  // One level at a time: a recursive mkdir spins forever under /proc.
  ensureDir(dir);
  const probe = join(dir, `.duet-doctor-${process.pid}`);
  const handle = await open(probe, 'w', 0o600);
  await handle.close();
  await rm(probe, { force: true });
}

export function defaultProbes(): DoctorProbes {
  return {
    nodeVersion: process.versions.node,
    env: process.env,
    cwd: process.cwd(),
    async listBackends() {
      const ort = await import('onnxruntime-node');
      return ort.listSupportedBackends().map((b) => b.name);
    },
    async defaultProfilePath() {
      return (await loader())?.defaultProfilePath ?? 'profiles/default.yaml';
    },
    async loadProfile(path) {
      const found = await loader();
      return found ? found.loadProfile(path, {}) : parseProfileFile(path);
    },
    async demoState(path) {
      const { demoSpecs } = await import('../engines/onnx/demo/spec.js');
      const spec = demoSpecs[basename(resolve(path)) as keyof typeof demoSpecs];
      if (!spec) return 'not-demo';
      const { isCurrentDemoModel } = await import('../engines/onnx/demo/ensure.js');
      return (await isCurrentDemoModel(path, spec)) ? 'current' : 'missing';
    },
    inspectModel,
    loadTokenizer: () => loadLlama3Tokenizer(),
    loadDataset: async (path) => ({ questions: (await loadSquad(path)).questions.length }),
    telemetryDeps: defaultTelemetryDeps(),
    portFree,
    fetch: globalThis.fetch,
    commandExists,
    writableDir,
  };
}
