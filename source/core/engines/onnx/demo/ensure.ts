import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { demoModelFile, demoSpecs, specHash, type DemoModelSpec } from './spec.js';
import { writeDemoModel, type DemoBuildProgress } from './write-model.js';

export interface EnsureDemoModelsOptions {
  onProgress?: (model: string, p: DemoBuildProgress) => void;
  /** Rebuild even when a folder is current. */
  force?: boolean;
  /** Which models (default: demo-small and demo-large). */
  specs?: DemoModelSpec[];
  /** Calibrate the end-of-turn bias (default true: the real demo models need it). */
  calibrate?: boolean;
}

const REQUIRED_FILES = ['generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** True when `dir` holds a complete model built from this exact spec (and generator version). */
export async function isCurrentDemoModel(dir: string, spec: DemoModelSpec): Promise<boolean> {
  try {
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { duet?: { specHash?: unknown; modelBytes?: unknown } };
    if (config.duet?.specHash !== specHash(spec)) return false;
    // A truncated model file (disk full, copied badly) has the wrong size.
    if ((await stat(join(dir, demoModelFile(spec.dtype)))).size !== config.duet.modelBytes) return false;
    for (const file of REQUIRED_FILES) await stat(join(dir, file));
    return true;
  } catch {
    return false;
  }
}

const partialPrefix = (name: string): string => `.${name}.partial-`;

/**
 * Makes sure `root/<name>` holds each demo model, building missing, stale or broken ones.
 * A build goes to a hidden temporary folder that is renamed into place at the end, so an
 * interrupted build never leaves a half folder behind (leftovers are removed next time).
 */
export async function ensureDemoModels(root: string, options: EnsureDemoModelsOptions = {}): Promise<{ created: string[]; skipped: string[] }> {
  const specs = options.specs ?? Object.values(demoSpecs);
  const created: string[] = [];
  const skipped: string[] = [];
  for (const spec of specs) {
    const dir = join(root, spec.name);
    if (!options.force && (await isCurrentDemoModel(dir, spec))) {
      skipped.push(spec.name);
      continue;
    }
    await removeLeftovers(root, spec.name);
    const temp = join(root, `${partialPrefix(spec.name)}${process.pid}`);
    try {
      await writeDemoModel(temp, spec, {
        calibrate: options.calibrate ?? true,
        onProgress: (p) => options.onProgress?.(spec.name, p),
      });
      await rm(dir, { recursive: true, force: true });
      await rename(temp, dir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
    created.push(spec.name);
  }
  return { created, skipped };
}

async function removeLeftovers(root: string, name: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(partialPrefix(name))) continue;
    const pid = Number(entry.slice(partialPrefix(name).length));
    if (pid !== process.pid && isAlive(pid)) continue; // another duet is building it right now
    await rm(join(root, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
