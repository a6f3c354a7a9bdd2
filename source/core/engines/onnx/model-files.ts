import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';

/**
 * A Hugging Face style model folder (config.json, generation_config.json, tokenizer files,
 * onnx/model.onnx), located and read without touching onnxruntime, so that user mistakes
 * surface before any worker starts.
 */

export const HOW_TO_GET_MODELS =
  'run `duet make-demo-models` (node bin/duet.js make-demo-models) to generate the demo models, or download an onnx-community Llama 3.2 export';

/** The subset of config.json duet reads; every field is optional in the file. */
export interface ModelConfig {
  num_hidden_layers?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  hidden_size?: number;
  intermediate_size?: number;
  head_dim?: number;
  vocab_size?: number;
  tie_word_embeddings?: boolean;
  eos_token_id?: number | number[];
  torch_dtype?: string;
  duet?: { synthetic?: boolean; logits?: string };
}

export interface ModelFiles {
  /** The model folder (holds config.json and the tokenizer). */
  dir: string;
  /** Folder name, used as the model name. */
  name: string;
  onnxPath: string;
  /** model.onnx plus its external data files. */
  weightFiles: string[];
  weightBytes: number;
  config: ModelConfig;
  /** End-of-turn / end-of-text ids from generation_config.json and config.json. */
  stopIds: number[];
  tokenizerJsonPath: string;
  tokenizerConfigPath: string;
  /** Variant suffix of the onnx file (model_q4.onnx -> 'q4'), when there is one. */
  variant?: string;
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new UserError(`${path}: missing ${what}; ${HOW_TO_GET_MODELS}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: expected ${what} as valid JSON (${(error as Error).message})`);
  }
}

function idList(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number' && Number.isInteger(v));
  return [];
}

/** The onnx file of a folder: onnx/model.onnx, else the only onnx/model*.onnx, else model.onnx at the top. */
function findOnnxFile(dir: string): string {
  const candidates = [join(dir, 'onnx', 'model.onnx'), join(dir, 'model.onnx')];
  for (const path of candidates) if (existsSync(path)) return path;
  const onnxDir = join(dir, 'onnx');
  const variants = existsSync(onnxDir) ? readdirSync(onnxDir).filter((f) => /^model.*\.onnx$/.test(f)) : [];
  if (variants.length === 1) return join(onnxDir, variants[0]!);
  if (variants.length > 1) {
    throw new UserError(
      `${onnxDir}: several model files (${variants.join(', ')}); set the profile's path to the one to use, e.g. ${join(onnxDir, variants[0]!)}`,
    );
  }
  throw new UserError(`${join(dir, 'onnx', 'model.onnx')}: missing ONNX model file; ${HOW_TO_GET_MODELS}`);
}

/** External data lives next to the graph as <file>_data, <file>.data, <file>_data_1, ... */
function weightFilesOf(onnxPath: string): string[] {
  const folder = dirname(onnxPath);
  const file = basename(onnxPath);
  const data = readdirSync(folder).filter((f) => f !== file && (f.startsWith(`${file}_data`) || f.startsWith(`${file}.data`)));
  return [onnxPath, ...data.sort().map((f) => join(folder, f))];
}

/**
 * Locates and reads a model. `path` is the model folder or an .onnx file inside it
 * (to pick a variant such as onnx/model_q4.onnx).
 */
export function readModelFiles(path: string): ModelFiles {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new UserError(`${absolute}: model folder not found; ${HOW_TO_GET_MODELS}`);
  let dir = absolute;
  let onnxPath: string;
  if (statSync(absolute).isFile()) {
    if (!absolute.endsWith('.onnx')) throw new UserError(`${absolute}: expected a model folder or an .onnx file`);
    onnxPath = absolute;
    dir = basename(dirname(absolute)) === 'onnx' ? dirname(dirname(absolute)) : dirname(absolute);
  } else {
    onnxPath = findOnnxFile(dir);
  }
  const config = readJson(join(dir, 'config.json'), 'config.json (the model configuration)') as ModelConfig;
  if (typeof config !== 'object' || config === null) throw new UserError(`${join(dir, 'config.json')}: expected a JSON object`);
  const generationPath = join(dir, 'generation_config.json');
  const generation = existsSync(generationPath) ? (readJson(generationPath, 'generation_config.json') as { eos_token_id?: unknown }) : {};
  const stopIds = [...new Set([...idList(generation?.eos_token_id), ...idList(config.eos_token_id)])];
  if (stopIds.length === 0) {
    throw new UserError(`${generationPath}: expected eos_token_id (a number or an array of numbers) here or in config.json`);
  }
  const tokenizerJsonPath = join(dir, 'tokenizer.json');
  const tokenizerConfigPath = join(dir, 'tokenizer_config.json');
  for (const [file, what] of [
    [tokenizerJsonPath, 'tokenizer.json'],
    [tokenizerConfigPath, 'tokenizer_config.json'],
  ] as const) {
    if (!existsSync(file)) throw new UserError(`${file}: missing ${what} (the model's tokenizer); ${HOW_TO_GET_MODELS}`);
  }
  const weightFiles = weightFilesOf(onnxPath);
  const weightBytes = weightFiles.reduce((sum, f) => sum + statSync(f).size, 0);
  const variant = /^model_(.+)\.onnx$/.exec(basename(onnxPath))?.[1];
  return {
    dir,
    name: basename(dir),
    onnxPath,
    weightFiles,
    weightBytes,
    config,
    stopIds,
    tokenizerJsonPath,
    tokenizerConfigPath,
    ...(variant ? { variant } : {}),
  };
}

/** Parameter count from the config (Llama architecture), or undefined when the config lacks sizes. */
export function paramsFromConfig(config: ModelConfig): number | undefined {
  const { hidden_size: h, num_hidden_layers: layers, num_attention_heads: heads, intermediate_size: inter, vocab_size: vocab } = config;
  if (!h || !layers || !heads || !inter || !vocab) return undefined;
  const headDim = config.head_dim ?? h / heads;
  const kvHeads = config.num_key_value_heads ?? heads;
  const attention = h * heads * headDim * 2 + h * kvHeads * headDim * 2;
  const perLayer = attention + 3 * h * inter + 2 * h;
  const embeddings = vocab * h * (config.tie_word_embeddings === false ? 2 : 1);
  return embeddings + layers * perLayer + h;
}
