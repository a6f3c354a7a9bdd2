import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { extractAnswer } from '../dataset/answer.js';
import { createPromptBuilder } from '../dataset/prompt.js';
import { loadSquad, type SquadQuestion } from '../dataset/squad.js';
import { loadLlama3Tokenizer } from '../dataset/tokenizer.js';
import type { Engine, ModelSlot } from '../engines/engine.js';
import { ReplicaWarnings } from '../engines/replicas/warnings.js';
import { EngineWarnings } from '../engines/warnings.js';
import { UserError } from '../errors.js';
import { scoreAnswer } from '../eval/squad-score.js';
import { MetricsStore } from '../metrics/store.js';
import { defaultProfilePath, loadProfile } from '../profile/loader.js';
import type { ModelProfile, Profile } from '../profile/schema.js';
import { buildSessionHeader, defaultLogPath } from '../session/header.js';
import { openSessionLog } from '../session/writer.js';
import type { RunFlags, RunOverrides } from './flags.js';
import type { RunOptions } from './options.js';
import { servedEngine, ServerStateRelay } from './served-engine.js';
import { sharedPlane } from '../plane/plane.js';
import { serverMetricsTargets, withServerMetrics } from '../telemetry/server-metrics.js';

/**
 * How long before its arrival an open-loop question is released (routed, prompt built,
 * handed to the measuring plane, which sends it on time). Longer than the main thread's
 * worst stalls under a live screen (80-150 ms measured on 2 busy cores); the price is
 * that the policy decides a question up to this long before it is sent.
 */
const PROMPT_LEAD_MS = 250;

/** Everything outside the process a run touches, injectable so tests can swap engines. */
export interface PrepareDeps {
  clock?: Clock;
  cwd?: string;
  /** One progress line (stderr). */
  progress(line: string): void;
  /** Loads and validates the profile with the flags applied; default: profile/loader.ts. */
  loadProfile?(path: string | undefined, overrides: RunOverrides): Promise<LoadedProfile>;
  /** Builds one model's engine; default: onnx in-process or openai HTTP. */
  createEngine?(model: ModelProfile, slot: ModelSlot, profile: LoadedProfile): Promise<Engine>;
}

export type LoadedProfile = Profile & { path: string };

export interface PreparedRun {
  profile: LoadedProfile;
  options: RunOptions<SquadQuestion>;
  title: string;
}


/** Loads the profile, dataset, tokenizer, engines, metrics, telemetry and log opener for one run. */
export async function prepareRun(flags: RunFlags, deps: PrepareDeps): Promise<PreparedRun> {
  const clock = deps.clock ?? systemClock;
  const profile = await (deps.loadProfile ?? defaultLoadProfile)(flags.profile, flags.overrides);
  const dataset = await loadSquad(profile.workload.dataset);
  if (dataset.questions.length === 0) throw new UserError(`${profile.workload.dataset}: the dataset has no questions`);
  checkRunLength(profile, dataset.questions.length);
  const tokenizer = await loadLlama3Tokenizer();
  const build = createPromptBuilder({ tokenizer, inputTokens: profile.workload.inputTokens, mode: profile.workload.promptMode });
  const profileName = profile.name ?? basename(profile.path, extname(profile.path));
  const logPath = flags.log === false ? undefined : resolve(deps.cwd ?? process.cwd(), flags.log ?? defaultLogPath(profileName, new Date(), deps.cwd ?? '.'));
  // Launched servers log next to the session log: logs/<session>/<model>.log.
  const serverLogDir = logPath ? logPath.replace(/\.jsonl$/, '') : resolve(deps.cwd ?? process.cwd(), 'logs', 'servers');
  const relay = new ServerStateRelay(clock);
  const replicaWarnings = new ReplicaWarnings(clock);
  const engineWarnings = new EngineWarnings(clock);
  const createEngine = deps.createEngine ?? ((model: ModelProfile) => defaultEngine(model, clock, deps.progress, replicaWarnings, engineWarnings));
  const engineFor = async (model: ModelProfile, slot: ModelSlot): Promise<Engine> => {
    const engine = await createEngine(model, slot, profile);
    if (!model.launch) return engine;
    // Readiness checks the model list, so that another server on the port is not taken for ours.
    const identity = model.url ? { modelsUrl: `${model.url.replace(/\/+$/, '')}/models`, ...(model.served ? { modelId: model.served } : {}) } : undefined;
    return servedEngine(engine, model.launch, { slot, name: `${slot}-${model.label}`, logDir: serverLogDir, profilePath: profile.path, clock, relay, ...(identity ? { identity } : {}) });
  };
  const [A, B] = [await engineFor(profile.models[0], 'A'), await engineFor(profile.models[1], 'B')];
  const telemetryConfig = profile.telemetry;
  const serverTargets = serverMetricsTargets({ A: profile.models[0], B: profile.models[1] });

  const options: RunOptions<SquadQuestion> = {
    profile,
    engines: { A: A!, B: B! },
    questions: dataset.questions,
    buildPrompt: (q) => build(q, dataset),
    extractAnswer,
    scoreAnswer,
    metrics: new MetricsStore({ slo: profile.slo }),
    clock,
    measuring: profile.models.some((m) => m.backend === 'openai') ? { plane: sharedPlane() } : {},
    // Prompts are built this far ahead of their arrival, so the open loop sends on time.
    leadMs: PROMPT_LEAD_MS,
    onRunStart: (emit) => {
      relay.connect(emit);
      replicaWarnings.connect(emit);
      engineWarnings.connect(emit);
    },
    // Device telemetry (unless `none`) and the servers' own /metrics, as one handle.
    ...(telemetryConfig.source === 'none' && serverTargets.length === 0
      ? {}
      : {
          startTelemetry: async (emit) => {
            const { startTelemetry } = await import('../telemetry/start.js');
            const devices = telemetryConfig.source === 'none' ? undefined : () => startTelemetry(telemetryConfig, { clock, emit });
            return withServerMetrics(devices, serverTargets, { clock, emit });
          },
        }),
    ...(logPath === undefined
      ? {}
      : {
          openLog: async ({ models, wallStart, warn }) =>
            openSessionLog(
              logPath,
              buildSessionHeader({ duetVersion: duetVersion(), wallStart, profile, models, dataset: { path: dataset.path, hash: dataset.hash, questions: dataset.questions.length } }),
              { onError: warn, append: flags.appendLog === true },
            ),
        }),
  };
  return { profile, options, title: `duet: ${profileName}` };
}

/** The most questions one run lists up front (each pass over the dataset is listed). */
export const MAX_RUN_QUESTIONS = 10_000_000;

/** repeat x questions must fit in memory: refuse an absurd repeat in one line instead of "Invalid array length". */
function checkRunLength(profile: LoadedProfile, questions: number): void {
  const { repeat, limit, warmup } = profile.workload;
  const total = Math.max(0, questions - (warmup ?? 0)) * (repeat ?? 1);
  if (total <= MAX_RUN_QUESTIONS || (limit !== undefined && limit <= MAX_RUN_QUESTIONS)) return;
  throw new UserError(
    `${profile.path}: workload.repeat: ${repeat} passes over ${questions} questions make ${total.toExponential(2)} questions, more than the ${MAX_RUN_QUESTIONS.toLocaleString('en-US')} one run can list; lower it, or bound the run with --limit`,
  );
}

function defaultLoadProfile(path: string | undefined, overrides: RunOverrides): Promise<LoadedProfile> {
  return loadProfile(path ?? defaultProfilePath, overrides);
}

async function defaultEngine(model: ModelProfile, clock: Clock, progress: (line: string) => void, replicaWarnings: ReplicaWarnings, engineWarnings: EngineWarnings): Promise<Engine> {
  if (model.backend === 'onnx') {
    await ensureDemoModel(model, progress);
    const { createOnnxEngine } = await import('../engines/onnx/engine.js');
    return createOnnxEngine(model, { clock });
  }
  if ((model.endpoints?.length ?? 0) > 1) {
    // Several replicas of one model: least-outstanding routing, dead replicas taken out.
    const { createReplicaPool } = await import('../engines/replicas/pool.js');
    return createReplicaPool(model, { clock, onReplicaState: (url, state, detail) => replicaWarnings.report(model.label, url, state, detail) });
  }
  const { createOpenAIEngine } = await import('../engines/openai/engine.js');
  return createOpenAIEngine(model, { clock, onWarning: (message) => engineWarnings.warn(message) });
}

/** duet's own demo models (models/demo-small, models/demo-large) are built on first use. */
async function ensureDemoModel(model: ModelProfile, progress: (line: string) => void): Promise<void> {
  if (!model.path) return;
  const { demoSpecs } = await import('../engines/onnx/demo/spec.js');
  const name = basename(resolve(model.path)) as keyof typeof demoSpecs;
  const spec = demoSpecs[name];
  if (!spec) return;
  const { ensureDemoModels, isCurrentDemoModel } = await import('../engines/onnx/demo/ensure.js');
  if (await isCurrentDemoModel(model.path, spec)) return;
  progress(`building demo model ${name} in ${model.path} (first run only; duet make-demo-models does the same)`);
  let lastLine = '';
  await ensureDemoModels(dirname(resolve(model.path)), {
    specs: [spec],
    onProgress: (_model, p) => {
      const line = `  ${name}: ${p.stage} ${Math.floor(p.fraction * 4) * 25}%`;
      if (line !== lastLine) progress((lastLine = line));
    },
  });
}

let version: string | undefined;
export function duetVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}
