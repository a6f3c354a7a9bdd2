import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDemoModels } from '../../../../../source/core/engines/onnx/demo/ensure.js';
import { specHash, tinySpec } from '../../../../../source/core/engines/onnx/demo/spec.js';

const small = tinySpec({ name: 'tiny-a', vocabSize: 64, hiddenSize: 16, intermediateSize: 32, headDim: 4 });
const other = tinySpec({ name: 'tiny-b', vocabSize: 64, hiddenSize: 16, intermediateSize: 32, headDim: 4, seed: 9 });
const options = { specs: [small, other], calibrate: false };
const mtime = async (path: string): Promise<number> => (await stat(path)).mtimeMs;

describe('ensureDemoModels', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'duet-ensure-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds missing models, then keeps current ones', async () => {
    const stages = new Set<string>();
    expect(await ensureDemoModels(root, { ...options, onProgress: (model, p) => stages.add(`${model}:${p.stage}`) })).toEqual({
      created: ['tiny-a', 'tiny-b'],
      skipped: [],
    });
    expect(stages).toContain('tiny-a:weights');
    expect(stages).toContain('tiny-b:write');
    const config = JSON.parse(await readFile(join(root, 'tiny-a', 'config.json'), 'utf8'));
    expect(config.duet.specHash).toBe(specHash(small));
    const before = await mtime(join(root, 'tiny-a', 'onnx', 'model.onnx'));
    expect(await ensureDemoModels(root, options)).toEqual({ created: [], skipped: ['tiny-a', 'tiny-b'] });
    expect(await mtime(join(root, 'tiny-a', 'onnx', 'model.onnx'))).toBe(before);
    expect((await ensureDemoModels(root, { ...options, force: true })).created).toEqual(['tiny-a', 'tiny-b']);
  });

  it('a q4 spec writes onnx/model_q4.onnx, is current by that file, and hashes apart from its fp32 twin', async () => {
    const q4 = { ...tinySpec({ name: 'tiny-q4' }), dtype: 'q4' as const };
    expect(specHash(q4)).not.toBe(specHash(tinySpec({ name: 'tiny-q4' })));
    expect(await ensureDemoModels(root, { specs: [q4], calibrate: false })).toEqual({ created: ['tiny-q4'], skipped: [] });
    expect(await readdir(join(root, 'tiny-q4', 'onnx'))).toEqual(['model_q4.onnx']);
    expect(await ensureDemoModels(root, { specs: [q4], calibrate: false })).toEqual({ created: [], skipped: ['tiny-q4'] });
    await truncate(join(root, 'tiny-q4', 'onnx', 'model_q4.onnx'), 100);
    expect((await ensureDemoModels(root, { specs: [q4], calibrate: false })).created).toEqual(['tiny-q4']);
  });

  it('rebuilds a truncated model, a missing tokenizer and a changed spec, and leaves no temporary folders', async () => {
    await ensureDemoModels(root, options);
    await truncate(join(root, 'tiny-a', 'onnx', 'model.onnx'), 100);
    await rm(join(root, 'tiny-b', 'tokenizer.json'));
    expect((await ensureDemoModels(root, options)).created).toEqual(['tiny-a', 'tiny-b']);
    const reseeded = { ...small, seed: 12 };
    expect(await ensureDemoModels(root, { specs: [reseeded], calibrate: false })).toEqual({ created: ['tiny-a'], skipped: [] });
    expect((await readdir(root)).sort()).toEqual(['tiny-a', 'tiny-b']);
  });

  it('removes an interrupted build left by a dead process and never leaves a half folder after a failure', async () => {
    await mkdir(join(root, '.tiny-a.partial-999999999', 'onnx'), { recursive: true });
    await writeFile(join(root, '.tiny-a.partial-999999999', 'onnx', 'model.onnx'), 'half');
    await ensureDemoModels(root, { specs: [small], calibrate: false });
    expect(await readdir(root)).toEqual(['tiny-a']);

    const broken = { ...small, name: 'tiny-broken', kvHeads: 3 }; // 4 heads cannot share 3 kv heads
    await expect(ensureDemoModels(root, { specs: [broken], calibrate: false })).rejects.toThrow(/multiple of kvHeads/);
    expect(await readdir(root)).toEqual(['tiny-a']);
  });
});
