import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { profileSchema, type Profile } from '../../../source/core/profile/schema.js';

const folder = new URL('../../../profiles/', import.meta.url).pathname;
const files = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f));

function load(name: string): Profile {
  return profileSchema.parse(parse(readFileSync(join(folder, name), 'utf8')));
}

function argAfter(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

describe('profiles/', () => {
  it.each(files)('%s parses with the profile schema', (name) => {
    const result = profileSchema.safeParse(parse(readFileSync(join(folder, name), 'utf8')));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('ships the serving profiles', () => {
    for (const name of ['ascend-vllm.yaml', 'ascend-mindie.yaml', 'llama-cpp-cann.yaml', 'openai-attach.yaml', 'onnx-llama32.yaml', 'serve-local.yaml']) expect(files).toContain(name);
  });

  it.each(files)('%s: every launched server is polled on the port its url uses, and holds no literal secret', (name) => {
    const text = readFileSync(join(folder, name), 'utf8');
    expect(text).not.toMatch(/\b(sk-[A-Za-z0-9]{8,}|api[_-]?key\s*:\s*\S+|Bearer\s+\S+)/i);
    for (const model of load(name).models) {
      if (!model.launch?.readyUrl || !model.url) continue;
      expect(new URL(model.launch.readyUrl).port).toBe(new URL(model.url).port);
      expect(model.launch.args.some((a) => /[;&|`$]/.test(a))).toBe(false);
    }
  });

  it('ascend-vllm: two vllm serve processes on 8001/8002, one card, memory fractions below 1, max-model-len 1024, npu-smi', () => {
    const profile = load('ascend-vllm.yaml');
    const fractions = profile.models.map((m) => {
      expect(m.launch!.command).toBe('vllm');
      expect(m.launch!.args[0]).toBe('serve');
      expect(argAfter(m.launch!.args, '--max-model-len')).toBe('1024');
      expect(m.launch!.env.ASCEND_RT_VISIBLE_DEVICES).toBe('0');
      expect(m.launch!.readyUrl).toMatch(/\/health$/);
      expect(argAfter(m.launch!.args, '--served-model-name')).toBe(m.served);
      return Number(argAfter(m.launch!.args, '--gpu-memory-utilization'));
    });
    expect(profile.models.map((m) => m.launch!.args[1])).toEqual(['meta-llama/Llama-3.2-1B-Instruct', 'meta-llama/Llama-3.2-3B-Instruct']);
    expect(profile.models.map((m) => argAfter(m.launch!.args, '--port'))).toEqual(['8001', '8002']);
    expect(fractions.every((f) => f > 0)).toBe(true);
    expect(fractions[0]! + fractions[1]!).toBeLessThan(1);
    expect(profile.telemetry.source).toBe('npu-smi');
  });

  it('serve-local: launches duet serve for both demo models from the repository root', () => {
    const profile = load('serve-local.yaml');
    for (const [i, model] of profile.models.entries()) {
      const launch = model.launch!;
      const cwd = resolve(folder, launch.cwd!);
      expect(existsSync(join(cwd, launch.args[0]!))).toBe(true);
      expect(launch.args.slice(1, 4)).toEqual(['serve', '--model', ['models/demo-small', 'models/demo-large'][i]]);
      expect(argAfter(launch.args, '--port')).toBe(['8101', '8102'][i]);
      expect(model.served).toBe(['demo-small', 'demo-large'][i]);
    }
    expect(resolve(folder, profile.workload.dataset)).toBe(resolve(dirname(folder.replace(/\/$/, '')), 'examples/squad-sample.json'));
  });

  it('llama-cpp-cann offloads every layer; mindie and openai-attach start nothing', () => {
    for (const model of load('llama-cpp-cann.yaml').models) {
      expect(model.launch!.command).toBe('llama-server');
      expect(argAfter(model.launch!.args, '-ngl')).toBe('99');
    }
    expect(load('ascend-mindie.yaml').models.every((m) => !m.launch && m.url!.startsWith('https://'))).toBe(true);
    expect(load('openai-attach.yaml').models.every((m) => !m.launch && m.url)).toBe(true);
    expect(load('onnx-llama32.yaml').models.map((m) => m.path)).toEqual(['../models/Llama-3.2-1B-Instruct', '../models/Llama-3.2-3B-Instruct']);
  });
});
