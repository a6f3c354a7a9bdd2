import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultProfilePath, loadProfile, parseProfile, type ProfileOverrides } from '../../../source/core/profile/loader.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const base = `models:
  - label: small
    backend: onnx
    path: models/small
    batching:
      maxBatch: 4
  - label: large
    backend: openai
    url: http://127.0.0.1:8001/v1
    launch:
      command: server
      cwd: run
workload:
  dataset: data/sample.json
`;

function error(yamlText: string, overrides?: ProfileOverrides): string {
  try {
    parseProfile(yamlText, 'profiles/x.yaml', overrides);
  } catch (e) {
    expect((e as Error).name).toBe('UserError');
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseProfile', () => {
  it('fills defaults and resolves paths from the profile folder', () => {
    const profile = parseProfile(base, '/etc/duet/profiles/x.yaml');
    expect(profile.models[0].path).toBe('/etc/duet/profiles/models/small');
    expect(profile.models[1].launch?.cwd).toBe('/etc/duet/profiles/run');
    expect(profile.workload.dataset).toBe('/etc/duet/profiles/data/sample.json');
    expect(profile.models[0].batching).toEqual({ maxBatch: 4, maxWaitMs: 5 });
    expect(profile.workload.load).toEqual({ mode: 'closed', concurrency: 4 });
    expect(profile.workload.inputTokens).toBe(512);
    expect(profile.scheduler.policy).toBe('round-robin');
  });

  it('rejects what the schema alone lets through: a model without what its backend needs, two servers on one port', () => {
    expect(error(base.replace('    path: models/small\n', ''))).toBe(
      'profiles/x.yaml: models[0] (A, small): backend onnx needs path (a model folder); set path: models/demo-small or another model folder',
    );
    expect(error(base.replace('    url: http://127.0.0.1:8001/v1\n', ''))).toMatch(/^profiles\/x\.yaml: models\[1\] \(B, large\): backend openai needs url; /);
    const twoServers = base.replace(
      /  - label: small\n    backend: onnx\n    path: models\/small\n/,
      '  - label: small\n    backend: openai\n    url: http://127.0.0.1:8001/v1\n    launch:\n      command: server\n',
    );
    expect(error(twoServers)).toMatch(/^profiles\/x\.yaml: both models launch a server on port 8001; /);
  });

  it('names the file, field path and expectation', () => {
    expect(error(base.replace('maxBatch: 4', 'maxBatch: eight'))).toBe('profiles/x.yaml: models[0].batching.maxBatch: expected a positive integer, got "eight"');
    expect(error(base.replace('maxBatch: 4', 'maxBatch: 0'))).toBe('profiles/x.yaml: models[0].batching.maxBatch: expected a positive integer, got 0');
    expect(error(base.replace('maxBatch: 4', 'maxBach: 4'))).toBe('profiles/x.yaml: models[0].batching.maxBach: unknown key');
    expect(error(`${base}colour: red\n`)).toBe('profiles/x.yaml: colour: unknown key');
    expect(error(base.replace('backend: openai', 'backend: gpu'))).toBe('profiles/x.yaml: models[1].backend: expected one of onnx, openai, got "gpu"');
    expect(error(base.replace('  dataset: data/sample.json\n', '  limit: 3\n'))).toBe('profiles/x.yaml: workload.dataset: missing, expected a string');
    expect(error(`${base}  load:\n    mode: half\n`)).toBe('profiles/x.yaml: workload.load.mode: expected one of closed, open, got "half"');
    expect(error(`${base}scheduler:\n  policy: fastest\n`)).toMatch(/^profiles\/x\.yaml: scheduler\.policy: expected one of round-robin, .*cascade, got "fastest"$/);
    expect(error(`${base}  duration: 5 minutes\n`)).toBe('profiles/x.yaml: workload.duration: expected a duration like 500ms, 1s, 2m or 1m30s, got "5 minutes"');
    expect(error(base.split('  - label: large')[0]! + 'workload:\n  dataset: d.json\n')).toBe(
      'profiles/x.yaml: models: expected exactly two models (A: small, B: large), got a list of 1',
    );
    expect(error('- a\n- b\n')).toBe('profiles/x.yaml: expected a mapping with models and workload, got a list of 2');
    expect(error('')).toBe('profiles/x.yaml: expected a mapping with models and workload, got null');
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(error('models:\n  - label: [a\nworkload: {}\n')).toMatch(/^profiles\/x\.yaml: YAML syntax error at line \d+, column \d+: /);
    expect(error('a: 1\na: 2\n')).toMatch(/^profiles\/x\.yaml: YAML syntax error at line 2, column 1: .*unique/i);
  });

  it('applies overrides over the file, before validation, naming the flag on errors', () => {
    const cwd = process.cwd();
    const profile = parseProfile(`${base}  limit: 10\n  load:\n    mode: open\n    rate: 2\n    burstiness: 0.5\n`, '/p/x.yaml', {
      dataset: 'mine.json',
      limit: 3,
      rate: 7,
      policy: 'cascade',
      promptMode: 'exact',
      telemetrySource: 'none',
      maxNewTokens: 16,
      shuffle: true,
      seed: 9,
      warmup: 2,
    });
    expect(profile.workload.dataset).toBe(path.resolve(cwd, 'mine.json'));
    expect(profile.workload).toMatchObject({ limit: 3, shuffle: true, seed: 9, warmup: 2, promptMode: 'exact', maxNewTokens: 16 });
    expect(profile.workload.load).toEqual({ mode: 'open', rate: 7, burstiness: 0.5 });
    expect(profile.scheduler.policy).toBe('cascade');
    expect(profile.telemetry.source).toBe('none');
    expect(parseProfile(base, '/p/x.yaml', { concurrency: 2 }).workload.load).toEqual({ mode: 'closed', concurrency: 2 });
    expect(error(base, { rate: -1 })).toBe('--rate: expected a positive number, got -1');
    expect(error(base, { concurrency: 1.5 })).toBe('--concurrency: expected a positive integer, got 1.5');
    expect(error(base, { policy: 'fastest' })).toMatch(/^--policy: expected one of round-robin/);
    expect(error(base, { duration: 'soon' })).toBe('--duration: expected a duration like 500ms, 1s, 2m or 1m30s, got "soon"');
    expect(error(base, { rate: 1, concurrency: 1 })).toMatch(/^--concurrency \(closed loop\) and --rate \(open loop\) exclude each other/);
  });
});

describe('loadProfile', () => {
  it('loads the embedded default with absolute paths into the repository', async () => {
    expect(defaultProfilePath).toBe(path.join(repoRoot, 'profiles/default.yaml'));
    const profile = await loadProfile(defaultProfilePath);
    expect(profile.path).toBe(defaultProfilePath);
    expect(profile.models.map((m) => [m.label, m.backend, m.path])).toEqual([
      ['demo-small', 'onnx', path.join(repoRoot, 'models/demo-small')],
      ['demo-large', 'onnx', path.join(repoRoot, 'models/demo-large')],
    ]);
    expect(profile.workload.dataset).toBe(path.join(repoRoot, 'examples/squad-sample.json'));
    expect(profile.workload.load).toEqual({ mode: 'closed', concurrency: 4 });
    expect(profile.slo).toEqual({ ttftMs: 1000, e2eMs: 5000 });
  });

  it('names a missing file and resolves a relative profile path', async () => {
    await expect(loadProfile('no/such.yaml')).rejects.toThrow('no/such.yaml: profile not found');
    const dir = mkdtempSync(path.join(tmpdir(), 'duet-profile-'));
    writeFileSync(path.join(dir, 'p.yaml'), base);
    const profile = await loadProfile(path.relative(process.cwd(), path.join(dir, 'p.yaml')));
    expect(profile.path).toBe(path.join(dir, 'p.yaml'));
    expect(profile.workload.dataset).toBe(path.join(dir, 'data/sample.json'));
  });
});
