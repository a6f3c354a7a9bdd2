import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/../..), so benchmarks run from any working directory. */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Shared SQuAD data lives next to the repository, never inside it. */
export const squadDir = resolve(repoRoot, '../shared/data/squad');
export const squadDev = join(squadDir, 'dev-v2.0.reconstructed.json');

export function modelDir(name: 'demo-small' | 'demo-large'): string {
  return join(repoRoot, 'models', name);
}

/** Exits with one line when a demo model is missing (building them takes minutes: not a benchmark's job). */
export function requireModel(dir: string): string {
  if (!existsSync(join(dir, 'config.json'))) {
    console.error(`${dir}: no model folder here; run \`node bin/duet.js make-demo-models\` first`);
    process.exit(1);
  }
  return dir;
}

/** p-th percentile (0-100) of unsorted values, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
