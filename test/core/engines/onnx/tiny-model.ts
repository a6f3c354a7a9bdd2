import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoModelSpec } from '../../../../source/core/engines/onnx/demo/spec.js';

/** True once the demo model builder exists (tests that need a model skip until then). */
export const builderExists = existsSync(new URL('../../../../source/core/engines/onnx/demo/write-model.ts', import.meta.url));
export const SKIP_REASON = 'demo model builder (source/core/engines/onnx/demo/write-model.ts) not there yet';

/** Writes a tiny synthetic Llama (vocab 512) into a fresh temp folder; returns the folder. */
export async function writeTinyModel(overrides: Partial<DemoModelSpec> = {}): Promise<string> {
  const { writeDemoModel } = await import('../../../../source/core/engines/onnx/demo/write-model.js');
  const { tinySpec } = await import('../../../../source/core/engines/onnx/demo/spec.js');
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
