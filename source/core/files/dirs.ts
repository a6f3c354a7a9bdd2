import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and its missing parents, one level at a time. Node's recursive mkdir
 * loops forever (100% CPU) when a parent cannot be created and reports ENOENT, as under
 * /proc; walking up to the first existing folder and creating downwards cannot spin.
 * Throws the failing call's error (with its code: ENOENT, ENOTDIR, EACCES...).
 */
export function ensureDir(dir: string, mode = 0o755): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (statSync(at).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, ${at}`), { code: 'ENOTDIR' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(at);
      if (code !== 'ENOENT' || parent === at) throw error;
      missing.push(at);
      at = parent;
    }
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
