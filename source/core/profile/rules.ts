import type { ModelProfile, Profile } from './schema.js';

/** A cross-field mistake the schema cannot express, with how to fix it. */
export interface ProfileProblem {
  message: string;
  fix: string;
}

const slotName = (i: number) => (i === 0 ? 'A' : 'B');

/** Port of a model's server: the launch readiness URL, else the API URL. */
export function serverPort(model: ModelProfile): number | undefined {
  const url = model.launch?.readyUrl ?? model.url ?? model.endpoints?.[0];
  if (!url) return undefined;
  const parsed = new URL(url);
  return Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
}

/** Rules across fields: each model has what its backend needs, and two launched servers do not share a port. */
export function profileProblems(profile: Profile, file: string): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  profile.models.forEach((m, i) => {
    const at = `models[${i}] (${slotName(i)}, ${m.label})`;
    if (m.backend === 'onnx' && !m.path) problems.push({ message: `${file}: ${at}: backend onnx needs path (a model folder)`, fix: 'set path: models/demo-small or another model folder' });
    if (m.backend === 'openai' && !m.url && !m.endpoints?.length) problems.push({ message: `${file}: ${at}: backend openai needs url`, fix: 'set url: http://127.0.0.1:8001/v1' });
  });
  const [a, b] = profile.models.map((m) => (m.backend === 'openai' && m.launch ? serverPort(m) : undefined));
  if (a !== undefined && a === b) problems.push({ message: `${file}: both models launch a server on port ${a}`, fix: 'give model B another port (in launch.args, url and launch.readyUrl)' });
  return problems;
}
