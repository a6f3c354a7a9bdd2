import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinySpec, type DemoModelSpec } from '../../../../source/core/engines/onnx/demo/spec.js';
import { writeDemoModel } from '../../../../source/core/engines/onnx/demo/write-model.js';

/** Writes a tiny synthetic Llama (vocab 512) into a fresh temp folder; returns the folder. */
export async function writeTinyModel(overrides: Partial<DemoModelSpec> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-onnx-'));
  await writeDemoModel(join(dir, 'tiny'), tinySpec(overrides));
  return join(dir, 'tiny');
}

/** A copy of `dir` whose stop ids are `stopIds` (generation_config.json and config.json). */
export async function withStopIds(dir: string, stopIds: number[]): Promise<string> {
  const copy = `${dir}-stop-${stopIds.join('-')}`;
  await cp(dir, copy, { recursive: true });
  for (const file of ['generation_config.json', 'config.json']) {
    const json = JSON.parse(await readFile(join(copy, file), 'utf8')) as Record<string, unknown>;
    json.eos_token_id = stopIds;
    await writeFile(join(copy, file), JSON.stringify(json));
  }
  return copy;
}

export async function removeModel(dir: string | undefined): Promise<void> {
  if (dir) await rm(join(dir, '..'), { recursive: true, force: true });
}

/** Deterministic prompts of various lengths inside a vocabulary of `vocab` (avoiding the top stop ids). */
export function prompt(length: number, seed: number, vocab = 500): number[] {
  return Array.from({ length }, (_, i) => (seed * 131 + i * 37 + ((i * i) % 17)) % vocab);
}
