import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../../source/core/errors.js';
import { createOnnxEngine } from '../../../../source/core/engines/onnx/engine.js';
import { OnnxGenerator } from '../../../../source/core/engines/onnx/generator.js';
import type { ModelProfile } from '../../../../source/core/profile/schema.js';
import { identityOnnx } from './bogus-onnx.js';
import { removeModel, writeTinyModel } from './tiny-model.js';

/** Loads and expects one UserError line naming `file` and matching `expected`. */
async function expectUserError(path: string, file: string, expected: RegExp): Promise<void> {
  const error = await OnnxGenerator.load(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  const message = (error as UserError).message;
  expect(message).not.toContain('\n');
  expect(message).toContain(file);
  expect(message).toMatch(expected);
}

describe('ONNX engine user errors', () => {
  let good: string;
  let scratch: string;
  let n = 0;
  /** A fresh copy of the good model to break. */
  async function copy(): Promise<string> {
    const dir = join(scratch, `m${n++}`);
    await cp(good, dir, { recursive: true });
    return dir;
  }

  beforeAll(async () => {
    good = await writeTinyModel();
    scratch = await mkdtemp(join(tmpdir(), 'duet-onnx-errors-'));
  });
  afterAll(async () => {
    await removeModel(good);
    await rm(scratch, { recursive: true, force: true });
  });

  it('missing folder: names it and says how to get models', async () => {
    await expectUserError(join(scratch, 'nope'), join(scratch, 'nope'), /not found.*make-demo-models/);
  });

  it('missing onnx file', async () => {
    const dir = await copy();
    await unlink(join(dir, 'onnx', 'model.onnx'));
    await expectUserError(dir, join(dir, 'onnx', 'model.onnx'), /missing ONNX model file.*make-demo-models/);
  });

  it('missing tokenizer', async () => {
    const dir = await copy();
    await unlink(join(dir, 'tokenizer.json'));
    await expectUserError(dir, join(dir, 'tokenizer.json'), /missing tokenizer\.json/);
  });

  it('a file that is not ONNX at all', async () => {
    const dir = await copy();
    await writeFile(join(dir, 'onnx', 'model.onnx'), 'this is not a protobuf');
    await expectUserError(dir, join(dir, 'onnx', 'model.onnx'), /could not load it as an ONNX model/);
  });

  it('a valid ONNX model with the wrong inputs', async () => {
    const dir = await copy();
    await writeFile(join(dir, 'onnx', 'model.onnx'), identityOnnx());
    await expectUserError(dir, join(dir, 'onnx', 'model.onnx'), /unexpected inputs\/outputs \(has x -> y; missing input_ids.*expected input_ids, attention_mask/);
  });

  it('a tokenizer too small for the model vocabulary', async () => {
    const dir = await copy();
    // The real Llama 3 tokenizer cut down to its first 300 tokens: valid, but too small.
    const tokenizer = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number>; merges: unknown[] }; added_tokens: unknown[] };
    tokenizer.model.vocab = Object.fromEntries(Object.entries(tokenizer.model.vocab).filter(([, id]) => id < 300));
    tokenizer.model.merges = [];
    tokenizer.added_tokens = [];
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    await expectUserError(dir, join(dir, 'tokenizer.json'), /no token 511 but the model outputs 512 logits/);
  });

  it('createOnnxEngine fails at once on a missing folder, and start() rejects with a UserError on a broken model', async () => {
    const profile = (path: string): ModelProfile => ({
      label: 'A',
      backend: 'onnx',
      path,
      api: 'chat',
      requestTimeoutMs: 1000,
      batching: { maxBatch: 2, maxWaitMs: 0 },
      executionProviders: ['cpu'],
    });
    await expect(createOnnxEngine(profile(join(scratch, 'absent')))).rejects.toBeInstanceOf(UserError);
    const dir = await copy();
    await writeFile(join(dir, 'onnx', 'model.onnx'), identityOnnx());
    const engine = await createOnnxEngine(profile(dir));
    await expect(engine.start()).rejects.toThrow(UserError);
    await engine.stop();
  });
});
