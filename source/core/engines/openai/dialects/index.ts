import { llamaCpp } from './llama-cpp.js';
import { mindie } from './mindie.js';
import { ollama } from './ollama.js';
import { openai } from './openai.js';
import { sglang } from './sglang.js';
import { tgi } from './tgi.js';
import type { Dialect, DialectName } from './types.js';
import { vllm } from './vllm.js';

export type { Dialect, DialectName } from './types.js';

const families: readonly Dialect[] = [openai, vllm, mindie, llamaCpp, tgi, sglang, ollama];

/**
 * The default when a profile names none: every family's shapes are read (they do not
 * conflict), cumulative deltas are detected, and any family's overload words count.
 */
const auto: Dialect = {
  name: 'auto',
  servers: 'any OpenAI-compatible server',
  cumulative: 'auto',
  overload: families.flatMap((family) => family.overload),
};

export const DIALECT_NAMES: readonly DialectName[] = ['auto', ...families.map((family) => family.name)];

export function dialectFor(name: DialectName = 'auto'): Dialect {
  return name === 'auto' ? auto : families.find((family) => family.name === name)!;
}

/** True when a server's message means it refused or dropped the request for load. */
export function isOverloadText(dialect: Dialect, text: string): boolean {
  return dialect.overload.some((pattern) => pattern.test(text));
}
