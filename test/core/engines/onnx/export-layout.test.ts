import { copyFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxModel } from '../../../../source/core/engines/onnx/model.js';
import { loadProfile } from '../../../../source/core/profile/loader.js';
import { removeModel, writeTinyModel } from './tiny-model.js';

const shippedProfile = new URL('../../../../profiles/onnx-llama32.yaml', import.meta.url).pathname;

/**
 * profiles/onnx-llama32.yaml against a folder laid out as an onnx-community export: one
 * config and tokenizer, several onnx/model*.onnx files (tiny synthetic graphs in the
 * exports' formats). The profile's path is the folder; its comments promise which file a
 * folder resolves to and what each file holds.
 */
describe('the onnx-llama32 profile on an export-style folder', () => {
  let root: string;
  const built: string[] = [];
  let folder: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'duet-export-'));
    await mkdir(join(root, 'profiles'));
    await copyFile(shippedProfile, join(root, 'profiles', 'onnx-llama32.yaml'));
    folder = join(root, 'models', 'Llama-3.2-1B-Instruct');
    const fp32 = await writeTinyModel();
    built.push(fp32);
    await cp(fp32, folder, { recursive: true });
    for (const dtype of ['fp16', 'q4', 'q4f16'] as const) {
      const dir = await writeTinyModel({ dtype });
      built.push(dir);
      await copyFile(join(dir, 'onnx', `model_${dtype}.onnx`), join(folder, 'onnx', `model_${dtype}.onnx`));
    }
  });
  afterAll(async () => {
    for (const dir of built) await removeModel(dir);
    await rm(root, { recursive: true, force: true });
  });

  it('resolves model A to the folder, whose onnx/model.onnx is the fp32 graph', async () => {
    const profile = await loadProfile(join(root, 'profiles', 'onnx-llama32.yaml'));
    const a = profile.models[0]!;
    expect(a).toMatchObject({ backend: 'onnx', path: folder });
    const model = await OnnxModel.load(a.path!, { intraOpThreads: 1 });
    expect(model.files.onnxPath).toBe(join(folder, 'onnx', 'model.onnx'));
    expect(model.info.dtype).toBe('fp32');
    expect(model.io).toMatchObject({ kvType: 'float32', logitsType: 'float32' });
    await model.release();
  });

  it.each([
    ['model_fp16.onnx', 'fp16', 'float16'],
    ['model_q4.onnx', 'q4', 'float32'],
    ['model_q4f16.onnx', 'q4f16', 'float16'],
  ] as const)('a path to onnx/%s loads that variant with the KV and logits types the profile lists', async (file, dtype, floats) => {
    const model = await OnnxModel.load(join(folder, 'onnx', file), { intraOpThreads: 1 });
    expect(model.files.dir).toBe(folder);
    expect(model.info.dtype).toBe(dtype);
    expect(model.io).toMatchObject({ kvType: floats, logitsType: floats });
    const logits = await model.logitsWithoutCache([1, 2, 3]);
    expect(logits).toHaveLength(model.vocab);
    await model.release();
  });

  it('a folder without model.onnx but several variants names them and asks for a file', async () => {
    await rm(join(folder, 'onnx', 'model.onnx'));
    await expect(OnnxModel.load(folder)).rejects.toThrow(/several model files \(.*model_fp16\.onnx.*model_q4\.onnx.*\); set the profile's path to the one to use/);
  });
});
