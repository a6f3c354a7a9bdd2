import { createHash } from 'node:crypto';

/**
 * Weight formats of the demo graph, named as the onnx-community exports name theirs:
 * fp32 -> onnx/model.onnx (MatMul), fp16 -> onnx/model_fp16.onnx, q4 -> onnx/model_q4.onnx
 * (MatMulNBits, 4-bit blocks of 32), q4f16 -> onnx/model_q4f16.onnx (see llama-graph.ts).
 */
export type DemoDtype = 'fp32' | 'fp16' | 'q4' | 'q4f16';
export const DEMO_DTYPES: readonly DemoDtype[] = ['fp32', 'fp16', 'q4', 'q4f16'];

/** The model file of a folder of this dtype, relative to the folder. */
export function demoModelFile(dtype: DemoDtype = 'fp32'): string {
  return dtype === 'fp32' ? 'onnx/model.onnx' : `onnx/model_${dtype}.onnx`;
}

/** Shape and seed of one synthetic-weight Llama model. */
export interface DemoModelSpec {
  name: string;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  seed: number;
  maxPositions: number;
  /** Weight format (default fp32); part of the spec hash only when set. */
  dtype?: DemoDtype;
}

/** The real Llama 3 vocabulary size: the demo models use it so the real tokenizer works. */
export const LLAMA3_VOCAB_SIZE = 128_256;

/**
 * Bumped whenever the graph or the weight generator changes, so that folders built by an
 * older duet are rebuilt (it is part of the spec hash).
 */
// 2: end-of-turn term per input token, calibrated on duet's own sample prompts.
// 3: that term's random table at std 0.5 (was 1), so one shared token no longer decides most answers.
export const DEMO_GENERATOR_VERSION = 3;

/**
 * Sizes chosen so that the large model costs ~2.5-3x the small one per decoded token (as
 * Llama 3.2 3B vs 1B) and the small one decodes well above 20 tokens/s at batch 1 on two
 * CPU cores. Decode is memory bound, and the tied 128,256-word lm_head dominates the bytes
 * read per token, so the ratio is set mostly by hidden size.
 */
export const demoSpecs: { 'demo-small': DemoModelSpec; 'demo-large': DemoModelSpec } = {
  'demo-small': {
    name: 'demo-small',
    vocabSize: LLAMA3_VOCAB_SIZE,
    hiddenSize: 256,
    intermediateSize: 1024,
    layers: 4,
    heads: 8,
    kvHeads: 2,
    headDim: 32,
    seed: 1_001,
    maxPositions: 131_072,
  },
  'demo-large': {
    name: 'demo-large',
    vocabSize: LLAMA3_VOCAB_SIZE,
    hiddenSize: 512,
    intermediateSize: 2048,
    layers: 10,
    heads: 8,
    kvHeads: 2,
    headDim: 64,
    seed: 3_003,
    maxPositions: 131_072,
  },
};

/** The spec of a demo model in a dtype: fp32 keeps the plain name, others get a suffix (demo-small-q4). */
export function demoSpecIn(spec: DemoModelSpec, dtype: DemoDtype): DemoModelSpec {
  return dtype === 'fp32' ? spec : { ...spec, name: `${spec.name}-${dtype}`, dtype };
}

/** The demo spec a folder name stands for (demo-small, demo-large-q4, ...), or undefined. */
export function demoSpecNamed(name: string): DemoModelSpec | undefined {
  for (const spec of Object.values(demoSpecs)) {
    for (const dtype of DEMO_DTYPES) if (demoSpecIn(spec, dtype).name === name) return demoSpecIn(spec, dtype);
  }
  return undefined;
}

/** A tiny model for tests: small vocabulary, two layers, grouped-query attention. */
export function tinySpec(overrides: Partial<DemoModelSpec> = {}): DemoModelSpec {
  return {
    name: 'demo-tiny',
    vocabSize: 512,
    hiddenSize: 32,
    intermediateSize: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 8,
    seed: 7,
    maxPositions: 2048,
    ...overrides,
  };
}

/** Special token ids. Real Llama 3 ids when the vocabulary is the real one; otherwise the
 * top ids of the small vocabulary, so that tiny test models can still stop. */
export interface SpecialTokens {
  bos: number;
  /** All stop ids, as in generation_config.json. */
  eos: number[];
  /** The end-of-turn id (<|eot_id|>) that receives the calibrated bias. */
  eot: number;
}

export function specialTokens(spec: DemoModelSpec): SpecialTokens {
  if (spec.vocabSize >= LLAMA3_VOCAB_SIZE) return { bos: 128_000, eos: [128_001, 128_008, 128_009], eot: 128_009 };
  const v = spec.vocabSize;
  return { bos: v - 4, eos: [v - 3, v - 2, v - 1], eot: v - 1 };
}

/** Number of weights (the tied embedding counted once). */
export function parameterCount(spec: DemoModelSpec): number {
  const { vocabSize: v, hiddenSize: h, intermediateSize: i, heads, kvHeads, headDim: d } = spec;
  const attention = h * heads * d * 2 + h * kvHeads * d * 2;
  const perLayer = attention + 3 * h * i + 2 * h;
  return v * h + spec.layers * perLayer + h;
}

/** Stable hash of the spec and the generator version: a folder with the same hash is current. */
export function specHash(spec: DemoModelSpec): string {
  const keys = Object.keys(spec).sort() as (keyof DemoModelSpec)[];
  const canonical = JSON.stringify({ v: DEMO_GENERATOR_VERSION, spec: keys.map((k) => [k, spec[k]]) });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Throws if the shapes cannot form a valid model (e.g. heads not a multiple of kvHeads). */
export function validateSpec(spec: DemoModelSpec): void {
  const ints: (keyof DemoModelSpec)[] = ['vocabSize', 'hiddenSize', 'intermediateSize', 'layers', 'heads', 'kvHeads', 'headDim', 'maxPositions'];
  for (const key of ints) {
    const value = spec[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new Error(`demo spec ${spec.name}: ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (spec.heads % spec.kvHeads !== 0) throw new Error(`demo spec ${spec.name}: heads must be a multiple of kvHeads`);
  if (spec.headDim % 2 !== 0) throw new Error(`demo spec ${spec.name}: headDim must be even (RoPE rotates pairs)`);
  if (spec.vocabSize < 8) throw new Error(`demo spec ${spec.name}: vocabSize must be at least 8`);
  if (spec.dtype === 'q4' || spec.dtype === 'q4f16') {
    for (const [what, size] of [['hiddenSize', spec.hiddenSize], ['intermediateSize', spec.intermediateSize], ['heads x headDim', spec.heads * spec.headDim]] as const) {
      if (size % 32 !== 0) throw new Error(`demo spec ${spec.name}: ${spec.dtype} needs ${what} to be a multiple of 32 (the quantization block), got ${size}`);
    }
  }
}
