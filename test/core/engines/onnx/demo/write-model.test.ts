import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnx } from '../../../../../source/core/engines/onnx/demo/onnx-proto.js';
import { parameterCount, specialTokens, tinySpec } from '../../../../../source/core/engines/onnx/demo/spec.js';
import { generateWeights, type DemoWeights } from '../../../../../source/core/engines/onnx/demo/weights.js';
import { writeDemoModel } from '../../../../../source/core/engines/onnx/demo/write-model.js';
import { maxAbsDiff, referenceLastLogits } from './reference.js';

const spec = tinySpec();
const TOLERANCE = 2e-4;

interface Batch {
  ids: number[][];
  mask: number[][];
  positions: number[][];
  past?: Record<string, ort.Tensor>;
}

async function run(session: ort.InferenceSession, batch: Batch): Promise<ort.InferenceSession.OnnxValueMapType> {
  const rows = batch.ids.length;
  const int64 = (m: number[][]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(m.flat(), BigInt), [rows, m[0]!.length]);
  const feeds: Record<string, ort.Tensor> = { input_ids: int64(batch.ids), attention_mask: int64(batch.mask), position_ids: int64(batch.positions) };
  for (let i = 0; i < spec.layers; i++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kind}`] =
        batch.past?.[`present.${i}.${kind}`] ?? new ort.Tensor('float32', new Float32Array(0), [rows, spec.kvHeads, 0, spec.headDim]);
    }
  }
  return session.run(feeds);
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
const row = (logits: ort.Tensor, r: number): Float32Array => (logits.data as Float32Array).subarray(r * spec.vocabSize, (r + 1) * spec.vocabSize);
const allFinite = (t: ort.Tensor): boolean => (t.data as Float32Array).every(Number.isFinite);

describe('writeDemoModel (tiny spec)', () => {
  let dir: string;
  let session: ort.InferenceSession;
  let weights: DemoWeights;
  const tokens = [5, 99, 301, 42, 7, 250, 13, 480, 66];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duet-demo-'));
    await writeDemoModel(dir, spec);
    session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'), { intraOpNumThreads: 1 });
    weights = generateWeights(spec);
  });
  afterAll(async () => {
    await session?.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a Hugging Face style folder whose config describes the graph', async () => {
    for (const file of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
      expect((await stat(join(dir, file))).size).toBeGreaterThan(10);
    }
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: 512,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 8,
      tie_word_embeddings: true,
      rope_scaling: { rope_type: 'llama3', factor: 32, original_max_position_embeddings: 8192 },
      duet: { synthetic: true, logits: 'last', seed: spec.seed, params: parameterCount(spec) },
    });
    expect(config.duet.modelBytes).toBe((await stat(join(dir, 'onnx', 'model.onnx'))).size);
    const generation = JSON.parse(await readFile(join(dir, 'generation_config.json'), 'utf8'));
    expect(generation.eos_token_id).toEqual(specialTokens(spec).eos);
    expect(generation.eos_token_id.every((id: number) => id < spec.vocabSize)).toBe(true);
  });

  it('has the onnx-community input and output names and stores the tied embedding once', async () => {
    const kv = range(spec.layers).flatMap((i) => [`${i}.key`, `${i}.value`]);
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'position_ids', ...kv.map((n) => `past_key_values.${n}`)]);
    expect([...session.outputNames].sort()).toEqual(['logits', ...kv.map((n) => `present.${n}`)].sort());
    const model = onnx.ModelProto.toObject(onnx.ModelProto.decode(await readFile(join(dir, 'onnx', 'model.onnx'))), { longs: Number, arrays: true }) as {
      graph: { initializer: { name: string; dims: number[] }[] };
    };
    const vocabByHidden = model.graph.initializer.filter((t) => t.dims.join() === `${spec.vocabSize},${spec.hiddenSize}`);
    expect(vocabByHidden.map((t) => t.name)).toEqual(['model.embed_tokens.weight']);
  });

  it('computes the same last-position logits as a plain reference forward pass', async () => {
    const out = await run(session, { ids: [tokens], mask: [tokens.map(() => 1)], positions: [range(tokens.length)] });
    expect(out.logits!.dims).toEqual([1, 1, spec.vocabSize]);
    const expected = referenceLastLogits(spec, weights, tokens);
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.5); // logits are not trivially small
    expect(maxAbsDiff(row(out.logits!, 0), expected)).toBeLessThan(TOLERANCE);
  });

  it('continues from past key/values exactly as a full recomputation', async () => {
    const split = 6;
    const first = await run(session, { ids: [tokens.slice(0, split)], mask: [range(split).map(() => 1)], positions: [range(split)] });
    expect(first['present.0.key']!.dims).toEqual([1, spec.kvHeads, split, spec.headDim]);
    const second = await run(session, {
      ids: [tokens.slice(split)],
      mask: [tokens.map(() => 1)],
      positions: [range(tokens.length - split, split)],
      past: first as Record<string, ort.Tensor>,
    });
    expect(second['present.1.value']!.dims).toEqual([1, spec.kvHeads, tokens.length, spec.headDim]);
    expect(maxAbsDiff(row(second.logits!, 0), referenceLastLogits(spec, weights, tokens))).toBeLessThan(TOLERANCE);
    // One more single-token decode step on top of the cache.
    const next = [...tokens, 123];
    const third = await run(session, { ids: [[123]], mask: [next.map(() => 1)], positions: [[tokens.length]], past: second as Record<string, ort.Tensor> });
    expect(maxAbsDiff(row(third.logits!, 0), referenceLastLogits(spec, weights, next))).toBeLessThan(TOLERANCE);
  });

  it('gives a left-padded row the logits of its sequence alone, in prefill and decode, without NaN', async () => {
    const short = tokens.slice(0, 5);
    const pad = tokens.length - short.length;
    const padToken = 0;
    const batch: Batch = {
      ids: [[...Array<number>(pad).fill(padToken), ...short], tokens],
      mask: [[...Array<number>(pad).fill(0), ...short.map(() => 1)], tokens.map(() => 1)],
      // As transformers computes them: cumsum(mask) - 1, padded slots set to 1.
      positions: [[...Array<number>(pad).fill(1), ...range(short.length)], range(tokens.length)],
    };
    const out = await run(session, batch);
    for (const [name, value] of Object.entries(out)) expect(allFinite(value as ort.Tensor), name).toBe(true);
    expect(maxAbsDiff(row(out.logits!, 0), referenceLastLogits(spec, weights, short))).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(row(out.logits!, 1), referenceLastLogits(spec, weights, tokens))).toBeLessThan(TOLERANCE);

    const step = await run(session, {
      ids: [[77], [78]],
      mask: [[...batch.mask[0]!, 1], [...batch.mask[1]!, 1]],
      positions: [[short.length], [tokens.length]],
      past: out as Record<string, ort.Tensor>,
    });
    expect(maxAbsDiff(row(step.logits!, 0), referenceLastLogits(spec, weights, [...short, 77]))).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(row(step.logits!, 1), referenceLastLogits(spec, weights, [...tokens, 78]))).toBeLessThan(TOLERANCE);
  });
});
