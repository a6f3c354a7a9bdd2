import * as ort from 'onnxruntime-node';
import { UserError } from '../../errors.js';
import { HOW_TO_GET_MODELS, type ModelConfig } from './model-files.js';

/** Element types duet can feed as KV cache and read as logits. */
export type FloatType = 'float32' | 'float16';

/** What the graph looks like, read from its inputs and outputs (never from constants). */
export interface ModelIO {
  layers: number;
  kvHeads: number;
  headDim: number;
  kvType: FloatType;
  logitsType: FloatType;
  /** Names of the past inputs and present outputs, layer by layer: [key, value]. */
  pastNames: Array<[string, string]>;
  presentNames: Array<[string, string]>;
  hasPositionIds: boolean;
  /** Newer exports take num_logits_to_keep (or logits_to_keep): feed 1. */
  logitsToKeep?: { name: string; dims: number[] };
  /** Vocabulary size when the graph declares it statically. */
  vocab?: number;
}

export interface SessionOptions {
  executionProviders?: readonly string[];
  intraOpThreads?: number;
  /** Let onnxruntime's threads spin while they wait for work (its default; duet's is off, see SPIN_EXTRA). */
  spinning?: boolean;
}

/**
 * onnxruntime's intra-op threads spin between parallel sections by default. duet runs two
 * models, each with as many threads as cores, next to its own main thread: a spinning
 * thread takes the cores the other model needs. Measured on 2 shared cores, demo-small
 * decode steps alternated in one process, three runs: without spinning the median step
 * was 22-47% shorter at batch 1 and 8, and CPU per step 18-26% lower at batch 8 (at
 * batch 1 between 27% lower and 9% higher).
 */
export function threadOptions(options: SessionOptions): Pick<ort.InferenceSession.SessionOptions, 'intraOpNumThreads' | 'interOpNumThreads' | 'extra'> {
  return {
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
  };
}

export async function openSession(onnxPath: string, options: SessionOptions): Promise<ort.InferenceSession> {
  const providers = options.executionProviders?.length ? options.executionProviders : ['cpu'];
  try {
    return await ort.InferenceSession.create(onnxPath, {
      executionProviders: providers.map((name) => ({ name })) as ort.InferenceSession.ExecutionProviderConfig[],
      graphOptimizationLevel: 'all',
      ...threadOptions(options),
    });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new UserError(`${onnxPath}: onnxruntime could not load it as an ONNX model (${reason}); ${HOW_TO_GET_MODELS}`);
  }
}

function tensorMeta(metadata: readonly ort.InferenceSession.ValueMetadata[], name: string): ort.InferenceSession.TensorValueMetadata | undefined {
  const found = metadata.find((m) => m.name === name);
  return found && found.isTensor ? found : undefined;
}

function floatType(type: string, what: string, onnxPath: string): FloatType {
  if (type === 'float32' || type === 'float16') return type;
  throw new UserError(`${onnxPath}: ${what} has element type ${type}; expected float32 or float16`);
}

const staticDim = (dim: number | string | undefined): number | undefined => (typeof dim === 'number' && dim > 0 ? dim : undefined);

/**
 * Reads layer count, KV heads, head size and element types from the session's metadata,
 * falling back to config.json for symbolic dimensions. Fails with one line naming the file
 * and the expected names when the graph is not a Llama-style decoder with a KV cache.
 */
export function describeIO(session: ort.InferenceSession, config: ModelConfig, onnxPath: string): ModelIO {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const expected = 'input_ids, attention_mask, position_ids, past_key_values.N.key/value -> logits, present.N.key/value (an onnx-community Llama export)';
  const missing = ['input_ids', 'attention_mask', 'past_key_values.0.key', 'past_key_values.0.value'].filter((n) => !inputs.has(n));
  if (!outputs.has('logits')) missing.push('logits (output)');
  if (!outputs.has('present.0.key')) missing.push('present.0.key (output)');
  if (missing.length > 0) {
    throw new UserError(
      `${onnxPath}: unexpected inputs/outputs (has ${[...inputs].join(', ')} -> ${[...outputs].join(', ')}; missing ${missing.join(', ')}); expected ${expected}`,
    );
  }
  const pastNames: Array<[string, string]> = [];
  const presentNames: Array<[string, string]> = [];
  for (let i = 0; inputs.has(`past_key_values.${i}.key`); i++) {
    const pair: [string, string] = [`past_key_values.${i}.key`, `past_key_values.${i}.value`];
    const present: [string, string] = [`present.${i}.key`, `present.${i}.value`];
    if (!inputs.has(pair[1]) || !outputs.has(present[0]) || !outputs.has(present[1])) {
      throw new UserError(`${onnxPath}: layer ${i} lacks ${pair[1]} or ${present.join('/')}; expected ${expected}`);
    }
    pastNames.push(pair);
    presentNames.push(present);
  }
  if (config.num_hidden_layers !== undefined && config.num_hidden_layers !== pastNames.length) {
    throw new UserError(`${onnxPath}: the graph has ${pastNames.length} layers of KV cache but config.json says num_hidden_layers ${config.num_hidden_layers}`);
  }
  const past = tensorMeta(session.inputMetadata, 'past_key_values.0.key');
  const logits = tensorMeta(session.outputMetadata, 'logits');
  const heads = config.num_attention_heads;
  const kvHeads = staticDim(past?.shape[1]) ?? config.num_key_value_heads ?? heads;
  const headDim = staticDim(past?.shape[3]) ?? config.head_dim ?? (config.hidden_size && heads ? config.hidden_size / heads : undefined);
  if (!kvHeads || !headDim || !Number.isInteger(headDim)) {
    throw new UserError(`${onnxPath}: cannot tell KV heads and head size from the graph; expected them in config.json (num_key_value_heads, head_dim or hidden_size/num_attention_heads)`);
  }
  const keepName = ['num_logits_to_keep', 'logits_to_keep'].find((n) => inputs.has(n));
  const keepMeta = keepName ? tensorMeta(session.inputMetadata, keepName) : undefined;
  const vocab = staticDim(logits?.shape[2]);
  return {
    layers: pastNames.length,
    kvHeads,
    headDim,
    kvType: floatType(past?.type ?? 'float32', 'past_key_values.0.key', onnxPath),
    logitsType: floatType(logits?.type ?? 'float32', 'logits', onnxPath),
    pastNames,
    presentNames,
    hasPositionIds: inputs.has('position_ids'),
    ...(keepName ? { logitsToKeep: { name: keepName, dims: keepMeta && keepMeta.shape.length > 0 ? [1] : [] } } : {}),
    ...(vocab ? { vocab } : {}),
  };
}
