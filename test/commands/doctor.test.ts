import { execa } from 'execa';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBackends, checkTelemetry } from '../../source/core/doctor/checks.js';
import { defaultProbes, exitCodeOf, formatResults, runDoctor, wantsColor, type DoctorProbes } from '../../source/core/doctor/index.js';
import { parseProfileFile } from '../../source/core/doctor/probes.js';
import { profileSchema } from '../../source/core/profile/schema.js';
import { defaultTelemetryDeps } from '../../source/core/telemetry/sources.js';
import { identityOnnx } from '../core/engines/onnx/bogus-onnx.js';
import { removeModel, writeTinyModel } from '../core/engines/onnx/tiny-model.js';

const squad = resolve('test/fixtures/squad/tiny-v2.0.json');
const fakeNpuSmi = resolve('test/fixtures/npu-smi/fake-npu-smi.mjs');
const dir = mkdtempSync(join(tmpdir(), 'duet-doctor-'));

function writeProfile(name: string, yaml: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

const onnxModels = (a: string, b: string) => `models:
  - { label: small, backend: onnx, path: ${a} }
  - { label: large, backend: onnx, path: ${b} }
`;

/** Real probes, except the slow or host-dependent ones every test would otherwise pay for. */
function probes(overrides: Partial<DoctorProbes> = {}): DoctorProbes {
  const unavailable = async () => {
    throw new Error('not here');
  };
  return {
    ...defaultProbes(),
    cwd: dir,
    env: {},
    listBackends: async () => ['cpu'],
    demoState: async () => 'not-demo',
    inspectModel: async () => ({ inputs: ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key'], layers: 2, configVocab: 128_256, tokenizerVocab: 128_256 }),
    loadTokenizer: async () => ({ vocabSize: 128_256 }),
    // No npu-smi, nvidia-smi or RAPL: the telemetry lines are warnings only.
    telemetryDeps: defaultTelemetryDeps({ run: async () => ({ stdout: '', stderr: '', timedOut: false, spawnError: 'ENOENT' }), readdir: unavailable }),
    ...overrides,
  };
}

let tiny: string | undefined;
/** The same tiny Llama with the real 128,256-token vocabulary, so the Llama 3 tokenizer fits it. */
let tinyFull: string | undefined;
let attached: Server;
let attachedUrl: string;

beforeAll(async () => {
  tiny = await writeTinyModel();
  tinyFull = await writeTinyModel({ vocabSize: 128_256 });
  attached = createServer((req, res) => void res.writeHead(req.url === '/v1/models' ? 200 : 404).end('{"data":[]}'));
  await new Promise<void>((r) => attached.listen(0, '127.0.0.1', r));
  attachedUrl = `http://127.0.0.1:${(attached.address() as AddressInfo).port}/v1`;
}, 60_000);
afterAll(async () => {
  await removeModel(tiny);
  await removeModel(tinyFull);
  await new Promise((r) => attached.close(r));
});

describe('duet doctor checks', () => {
  it('passes a good onnx profile: every line ok, exit 0, a real session load of a real model', async () => {
    const profile = writeProfile('good', `${onnxModels(tinyFull!, tinyFull!)}workload: { dataset: ${squad} }\ntelemetry: { source: none }\n`);
    // inspectModel and the profile parser are the real ones here.
    const results = await runDoctor(probes({ inspectModel: defaultProbes().inspectModel }), { profile });
    expect(results.filter((r) => r.status !== 'ok' && r.status !== 'skip')).toEqual([]);
    expect(results.find((r) => r.name === 'model A')!.detail).toMatch(/loads; \d+ layers; inputs input_ids, attention_mask/);
    expect(results.find((r) => r.name === 'dataset')!.detail).toMatch(/: 18 questions$/);
    expect(exitCodeOf(results)).toBe(0);
  });

  it('fails a too-old Node, a missing dataset and a busy launch port, each with a fix; exit 1', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const launch = (label: string, p: number) =>
        `  - { label: ${label}, backend: openai, url: "http://127.0.0.1:${p}/v1", launch: { command: node, args: [x.mjs], readyUrl: "http://127.0.0.1:${p}/health" } }`;
      const profile = writeProfile('launch', `models:\n${launch('small', port)}\n${launch('large', port + 1)}\nworkload: { dataset: ${join(dir, 'nope.json')} }\n`);
      const results = await runDoctor(probes({ nodeVersion: '18.19.0' }), { profile });
      const failed = Object.fromEntries(results.filter((r) => r.status === 'fail').map((r) => [r.name, r]));
      expect(Object.keys(failed).sort()).toEqual(['dataset', 'model A port', 'node']);
      expect(failed['node']!.fix).toMatch(/Node 20/);
      expect(failed['dataset']!.detail).toContain('nope.json: dataset file not found');
      expect(failed['model A port']!.detail).toBe(`port ${port} is in use`);
      for (const r of Object.values(failed)) expect(r.fix).toBeTruthy();
      expect(results.find((r) => r.name === 'model B port')!.status).toBe('ok');
      expect(results.find((r) => r.name === 'model A launch')!.status).toBe('ok');
      expect(exitCodeOf(results)).toBe(1);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('attach profiles: a live server passes, a dead one fails naming what was tried, a missing API key is named (never printed)', async () => {
    const deadPort = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const profile = writeProfile(
      'attach',
      `models:\n  - { label: small, backend: openai, url: "${attachedUrl}" }\n  - { label: large, backend: openai, url: "http://127.0.0.1:${deadPort}/v1" }\nworkload: { dataset: ${squad} }\ntelemetry: { source: none }\n`,
    );
    const results = await runDoctor(probes(), { profile });
    expect(results.find((r) => r.name === 'model A')).toMatchObject({ status: 'ok' });
    const b = results.find((r) => r.name === 'model B')!;
    expect(b.status).toBe('fail');
    expect(b.detail).toContain(`http://127.0.0.1:${deadPort}/v1/models: ECONNREFUSED`);
    expect(b.detail).toContain('/health');

    const keyed = writeProfile('keyed', `models:\n  - { label: small, backend: openai, url: "${attachedUrl}", apiKeyEnv: DUET_TEST_KEY }\n  - { label: large, backend: openai, url: "${attachedUrl}", apiKeyEnv: DUET_TEST_KEY }\nworkload: { dataset: ${squad} }\n`);
    const missing = await runDoctor(probes(), { profile: keyed });
    expect(missing.find((r) => r.name === 'model A')).toMatchObject({ status: 'fail', detail: 'environment variable DUET_TEST_KEY (apiKeyEnv) is not set' });
    const secret = 'sk-doctor-secret-4242';
    const withKey = await runDoctor(probes({ env: { DUET_TEST_KEY: secret } }), { profile: keyed });
    expect(withKey.find((r) => r.name === 'model A')!.status).toBe('ok');
    expect(formatResults(withKey, false)).not.toContain(secret);
  });

  it('demo models not built yet are a warning with the make-demo-models fix (exit 0); a cann provider onnxruntime lacks is a failure', async () => {
    const profile = writeProfile('demo', `${onnxModels('models/demo-small', 'models/demo-large')}workload: { dataset: ${squad} }\n`);
    const results = await runDoctor(probes({ demoState: async () => 'missing' }), { profile });
    const a = results.find((r) => r.name === 'model A')!;
    expect(a).toMatchObject({ status: 'warn', fix: 'run duet make-demo-models (or npm start generates them)' });
    expect(exitCodeOf(results)).toBe(0);
    const model = profileSchema.shape.models.parse([
      { label: 'a', backend: 'onnx', path: 'x', executionProviders: ['cann', 'cpu'] },
      { label: 'b', backend: 'onnx', path: 'y' },
    ]);
    expect(checkBackends(['cpu', 'webgpu'], model)).toMatchObject({ status: 'fail', detail: 'backends cpu, webgpu; the profile asks for cann' });
  });

  it('model folders: no ONNX file, a non-Llama graph, a corrupt file and a vocabulary mismatch each fail in one line', async () => {
    const inspect = defaultProbes().inspectModel;
    const empty = join(dir, 'empty-model');
    mkdirSync(empty, { recursive: true });
    await expect(inspect(empty, ['cpu'])).rejects.toThrow(/onnx\/model\.onnx: missing ONNX model file/);
    const bogus = join(dir, 'bogus');
    mkdirSync(join(bogus, 'onnx'), { recursive: true });
    const { cpSync } = await import('node:fs');
    for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) cpSync(join(tiny!, f), join(bogus, f));
    writeFileSync(join(bogus, 'onnx', 'model.onnx'), identityOnnx());
    await expect(inspect(bogus, ['cpu'])).rejects.toThrow(/unexpected inputs\/outputs \(has x -> y; missing input_ids/);
    writeFileSync(join(bogus, 'onnx', 'model.onnx'), Buffer.from('this is not protobuf at all'));
    await expect(inspect(bogus, ['cpu'])).rejects.toThrow(/onnxruntime could not load it as an ONNX model/);

    const profile = writeProfile('vocab', `${onnxModels(tiny!, tiny!)}workload: { dataset: ${squad} }\ntelemetry: { source: none }\n`);
    // The 512-token tiny model ships the full Llama 3 tokenizer: ids past 511 would crash it.
    const results = await runDoctor(probes({ inspectModel: inspect }), { profile });
    expect(results.find((r) => r.name === 'model A')).toMatchObject({ status: 'fail', detail: `${tiny}: the tokenizer has 128256 tokens but the model only 512` });
  }, 30_000);

  it('profile problems are one line naming the key: unknown key, wrong type, both models launching on one port', async () => {
    await expect(parseProfileFile(writeProfile('typo', `${onnxModels('a', 'b')}workload: { dataset: x.json, concurency: 3 }\n`))).rejects.toThrow(/typo\.yaml: workload: .*concurency/);
    await expect(parseProfileFile(writeProfile('type', `${onnxModels('a', 'b')}workload: { dataset: x.json, limit: lots }\n`))).rejects.toThrow(/type\.yaml: workload\.limit: expected a positive integer/);
    const launch = `launch: { command: node, readyUrl: "http://127.0.0.1:8001/health" }`;
    const same = writeProfile('same-port', `models:\n  - { label: a, backend: openai, url: "http://127.0.0.1:8001/v1", ${launch} }\n  - { label: b, backend: openai, url: "http://127.0.0.1:8001/v1", ${launch} }\nworkload: { dataset: ${squad} }\n`);
    const results = await runDoctor(probes({ loadProfile: parseProfileFile }), { profile: same });
    expect(results.find((r) => r.name === 'profile')).toMatchObject({ status: 'fail', detail: `${same}: both models launch a server on port 8001` });
  });

  it('telemetry: the fake npu-smi is found when healthy and a warning (never a failure) when it prints garbage', async () => {
    const info = resolve('test/fixtures/npu-smi/a3-info.txt');
    const config = profileSchema.shape.telemetry.parse({ npuSmiPath: fakeNpuSmi, nvidiaSmiPath: join(dir, 'no-nvidia-smi'), timeoutMs: 2000 });
    const deps = (_mode: string) => defaultTelemetryDeps({ powercapRoot: join(dir, 'no-powercap') });
    process.env['FAKE_NPU_SMI_INFO'] = info;
    process.env['FAKE_NPU_SMI_MODE'] = 'healthy';
    const healthy = await checkTelemetry(config, deps('healthy'));
    expect(healthy.find((r) => r.name === 'npu-smi')).toMatchObject({ status: 'ok' });
    expect(healthy.find((r) => r.name === 'nvidia-smi')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^unavailable: nvidia-smi not found/) as string });
    process.env['FAKE_NPU_SMI_MODE'] = 'garbage';
    const garbage = await checkTelemetry(config, deps('garbage'));
    delete process.env['FAKE_NPU_SMI_MODE'];
    expect(garbage.find((r) => r.name === 'npu-smi')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^failing: npu-smi info printed no NPU table/) as string });
    expect(garbage.find((r) => r.name === 'power')).toMatchObject({ status: 'warn' });
    expect(garbage.every((r) => r.status !== 'fail')).toBe(true);
  }, 20_000);

  it('formats one line per check: words without colour (NO_COLOR or no TTY), coloured symbols on a TTY', () => {
    const results = [
      { name: 'node', status: 'ok' as const, detail: 'v20.1.0' },
      { name: 'dataset', status: 'fail' as const, detail: 'x.json: dataset file not found\nsecond line', fix: 'point it at a file' },
    ];
    const plain = formatResults(results, false);
    expect(plain).toBe('ok   node     v20.1.0\nFAIL dataset  x.json: dataset file not found -> fix: point it at a file\n1 problem to fix before a run\n');
    expect(formatResults(results, true)).toContain('\x1b[31m✗\x1b[0m dataset');
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
  });
});

describe('duet doctor, the command', () => {
  it('prints plain lines and exits 1 when a required check fails', async () => {
    const profile = writeProfile('cli', `${onnxModels('models/demo-small', 'models/demo-large')}workload: { dataset: ${join(dir, 'missing.json')} }\ntelemetry: { source: none }\n`);
    const result = await execa('node', ['bin/duet.js', 'doctor', '--profile', profile], { reject: false, env: { NO_COLOR: '1' }, timeout: 60_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^ok {3}node /m);
    expect(result.stdout).toMatch(/^FAIL dataset +.*missing\.json: dataset file not found -> fix: /m);
    expect(result.stdout).not.toContain('\x1b[');
    expect(result.stderr).toBe('');
  }, 60_000);
});
