/** `duet doctor`: everything a run needs, checked in the order a run needs it. */
import { resolve } from 'node:path';
import { errorMessage } from '../errors.js';
import { fail, ok, skip, type CheckResult } from './check.js';
import { checkBackends, checkDataset, checkLogDir, checkModel, checkNode, checkProfileRules, checkTelemetry, checkTokenizer } from './checks.js';
import type { DoctorProbes, DoctorProfile } from './probes.js';

export { exitCodeOf, formatResults, wantsColor, type CheckResult } from './check.js';
export { defaultProbes, type DoctorProbes } from './probes.js';

export interface DoctorOptions {
  /** Profile path; default: the loader's default profile. */
  profile?: string;
  /** Called with each result as soon as it is known (so a slow check shows progress). */
  onResult?: (result: CheckResult) => void;
}

export async function runDoctor(probes: DoctorProbes, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (...found: CheckResult[]) => {
    for (const r of found) {
      results.push(r);
      options.onResult?.(r);
    }
  };
  add(checkNode(probes.nodeVersion));
  const path = options.profile ?? (await probes.defaultProfilePath());
  let profile: DoctorProfile | undefined;
  try {
    profile = await probes.loadProfile(path);
    const rules = checkProfileRules(profile);
    add(...(rules.length > 0 ? rules : [ok('profile', `${path}: valid (${profile.models.map((m) => `${m.label} ${m.backend}`).join(', ')})`)]));
  } catch (error) {
    add(fail('profile', errorMessage(error), options.profile ? 'fix the line named above (duet run --help lists the settings)' : `create ${path} or pass --profile PATH`));
  }
  let backends: string[] | Error;
  try {
    backends = await probes.listBackends();
  } catch (error) {
    backends = error instanceof Error ? error : new Error(String(error));
  }
  add(checkBackends(backends, profile?.models ?? []));
  if (profile) {
    for (const [i, model] of profile.models.entries()) add(...(await checkModel(i, model, probes)));
  } else add(skip('models', 'no valid profile'));
  add(await checkTokenizer(probes));
  add(profile ? await checkDataset(profile.workload.dataset, probes) : skip('dataset', 'no valid profile'));
  if (profile) add(...(await checkTelemetry(profile.telemetry, probes.telemetryDeps)));
  add(await checkLogDir(resolve(probes.cwd, 'logs'), probes));
  return results;
}
