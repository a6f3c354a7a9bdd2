import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { UserError } from '../../errors.js';
import type { EngineInfo } from '../engine.js';
import type { GreedyPick } from './greedy.js';
import { GreedyGraph } from './greedy-graph.js';
import { fileNamesOp, RIGHT_PADDED_ATTENTION_OPS } from './graph-ops.js';
import { KvCache } from './kv-cache.js';
import { HOW_TO_GET_MODELS, paramsFromConfig, readModelFiles, type ModelFiles } from './model-files.js';
import { describeIO, openSession, type ModelIO, type SessionOptions } from './session.js';
import type { TokenDecoder } from './text-stream.js';

/** One forward pass: inputs laid out row-major, [batch, steps] and [batch, cacheLength + steps]. */
export interface ForwardInput {
  batch: number;
  steps: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  positionIds: BigInt64Array;
  cache: KvCache;
}

export interface ForwardOutput {
  /** Raw logits: float32 values or float16 bits. */
  logits: Float32Array | Uint16Array;
  /** Positions per row present in `logits` (1 when the graph keeps only the last). */
  logitsPositions: number;
  /** Per row, the greedy choice at its last position (computed by onnxruntime, see greedy-graph.ts). */
  picks: GreedyPick[];
  cache: KvCache;
}

export interface LoadOptions extends SessionOptions {
  label?: string;
}

/** A loaded model: session, graph shape, tokenizer, stop ids and the facts for EngineInfo. */
export class OnnxModel {
  private readonly logitsBuffers = new Map<number, ort.Tensor>();

  private constructor(
    readonly files: ModelFiles,
    readonly session: ort.InferenceSession,
    readonly io: ModelIO,
    readonly vocab: number,
    readonly decoder: TokenDecoder,
    readonly info: EngineInfo,
    private readonly greedy: GreedyGraph,
    /** The graph's attention assumes right padding (graph-ops.ts): rows must run one at a time. */
    readonly oneRowAtATime: boolean,
  ) {}

  get stopIds(): number[] {
    return this.files.stopIds;
  }

  static async load(path: string, options: LoadOptions = {}): Promise<OnnxModel> {
    const files = readModelFiles(path);
    const tokenizer = loadTokenizer(files);
    const session = await openSession(files.onnxPath, options);
    const io = describeIO(session, files.config, files.onnxPath);
    const vocab = io.vocab ?? files.config.vocab_size;
    if (!vocab) throw new UserError(`${files.dir}/config.json: expected vocab_size (the graph does not declare the logits size)`);
    // The model may emit any id below vocab: the tokenizer must know the highest one.
    if (tokenizer.id_to_token(vocab - 1) === undefined) {
      throw new UserError(
        `${files.tokenizerJsonPath}: the tokenizer has no token ${vocab - 1} but the model outputs ${vocab} logits; expected the tokenizer that belongs to this model`,
      );
    }
    const providers = options.executionProviders?.length ? options.executionProviders : ['cpu'];
    const params = paramsFromConfig(files.config);
    const info: EngineInfo = {
      label: options.label ?? files.name,
      backend: 'onnx',
      model: files.name,
      device: providers[0]!,
      ...(params ? { params } : {}),
      dtype: files.variant ?? (io.kvType === 'float16' ? 'fp16' : 'fp32'),
      weightBytes: files.weightBytes,
      synthetic: files.config.duet?.synthetic === true,
      path: files.dir,
    };
    const decoder: TokenDecoder = {
      // No clean-up of spaces: it rewrites earlier text (" ." -> "."), which would break streaming deltas.
      // (The tokenizer throws on an empty list: an empty answer is an empty string.)
      decode: (ids) => (ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false })),
    };
    const greedy = await GreedyGraph.create(io.logitsType, options);
    const oneRowAtATime = await fileNamesOp(files.onnxPath, RIGHT_PADDED_ATTENTION_OPS);
    return new OnnxModel(files, session, io, vocab, decoder, info, greedy, oneRowAtATime);
  }

  emptyCache(batch: number): KvCache {
    return KvCache.empty(this.io.layers, batch, this.io.kvHeads, this.io.headDim, this.io.kvType);
  }

  async forward(input: ForwardInput): Promise<ForwardOutput> {
    const { batch, steps, cache, io } = { ...input, io: this.io };
    const total = cache.length + steps;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', input.inputIds, [batch, steps]),
      attention_mask: new ort.Tensor('int64', input.attentionMask, [batch, total]),
    };
    if (io.hasPositionIds) feeds.position_ids = new ort.Tensor('int64', input.positionIds, [batch, steps]);
    if (io.logitsToKeep) feeds[io.logitsToKeep.name] = new ort.Tensor('int64', BigInt64Array.of(1n), io.logitsToKeep.dims);
    io.pastNames.forEach(([key, value], layer) => {
      feeds[key] = cache.layers[layer]![0];
      feeds[value] = cache.layers[layer]![1];
    });
    const out = await this.session.run(feeds, this.fetches(batch, steps));
    const logits = out.logits!;
    const presents = io.presentNames.map(([key, value]): [ort.Tensor, ort.Tensor] => [out[key]!, out[value]!]);
    return {
      logits: logits.data as Float32Array | Uint16Array,
      logitsPositions: logits.dims[1]!,
      picks: await this.greedy.pick(logits),
      cache: KvCache.fromOutputs(presents, io.kvHeads, io.headDim, io.kvType),
    };
  }

  /**
   * Decode steps bind their logits to a buffer reused from step to step (one per batch size),
   * so onnxruntime does not allocate its own each time. onnxruntime-node 1.30 still hands the
   * output back as a fresh copy (measured: the returned data never aliases the buffer), so
   * the step time is the same either way. Prefill logits may have any number of positions:
   * those are allocated.
   */
  private fetches(batch: number, steps: number): ort.InferenceSession.FetchesType {
    const names = this.session.outputNames;
    if (steps !== 1) return names;
    let logits = this.logitsBuffers.get(batch);
    if (!logits) {
      const size = batch * this.vocab;
      logits = new ort.Tensor(this.io.logitsType, this.io.logitsType === 'float16' ? new Uint16Array(size) : new Float32Array(size), [batch, 1, this.vocab]);
      this.logitsBuffers.set(batch, logits);
    }
    return Object.fromEntries(names.map((name) => [name, name === 'logits' ? logits : null]));
  }

  /** Last-position logits of one sequence run from scratch, without a cache (a reference for tests). */
  async logitsWithoutCache(ids: number[]): Promise<Float32Array | Uint16Array> {
    const out = await this.forward({
      batch: 1,
      steps: ids.length,
      inputIds: BigInt64Array.from(ids, BigInt),
      attentionMask: new BigInt64Array(ids.length).fill(1n),
      positionIds: BigInt64Array.from(ids, (_, i) => BigInt(i)),
      cache: this.emptyCache(1),
    });
    const offset = (out.logitsPositions - 1) * this.vocab;
    return out.logits.slice(offset, offset + this.vocab);
  }

  async release(): Promise<void> {
    await this.greedy.release();
    await this.session.release();
  }
}

/** Parsing Llama 3's 9 MB tokenizer.json takes seconds: models sharing the same files share one Tokenizer. */
const tokenizers = new Map<string, Tokenizer>();

function loadTokenizer(files: ModelFiles): Tokenizer {
  try {
    const jsonText = readFileSync(files.tokenizerJsonPath, 'utf8');
    const configText = readFileSync(files.tokenizerConfigPath, 'utf8');
    const key = createHash('sha1').update(jsonText).update('\0').update(configText).digest('hex');
    let tokenizer = tokenizers.get(key);
    if (!tokenizer) {
      tokenizer = new Tokenizer(JSON.parse(jsonText) as object, JSON.parse(configText) as object);
      tokenizers.set(key, tokenizer);
    }
    return tokenizer;
  } catch (error) {
    throw new UserError(`${files.tokenizerJsonPath}: expected a Hugging Face tokenizer.json with its tokenizer_config.json (${(error as Error).message}); ${HOW_TO_GET_MODELS}`);
  }
}
