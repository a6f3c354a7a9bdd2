import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { errorMessage, UserError } from '../errors.js';

/**
 * Files that carry prompts and answers (session logs, server logs, reports, exports) are
 * the owner's only: created 0600 whatever the umask, an existing one forced to 0600, and
 * a symlink at the path is refused rather than followed (it could point anywhere).
 */

export const PRIVATE_MODE = 0o600;

const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_TRUNC, O_NOFOLLOW } = constants;

export type PrivateOpenMode = 'new' | 'append' | 'replace';

const flagsFor: Record<PrivateOpenMode, number> = {
  // O_EXCL with O_CREAT never follows a symlink and fails on any existing file: two runs cannot share it.
  new: O_WRONLY | O_CREAT | O_EXCL,
  append: O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW,
  replace: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
};

/** Opens `path` owner-only; errors are raw (callers phrase them with the flag that named the file). */
export async function openPrivate(path: string, mode: PrivateOpenMode): Promise<FileHandle> {
  const handle = await open(path, flagsFor[mode], PRIVATE_MODE);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    await handle.chmod(PRIVATE_MODE);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

/** One line for an open error: a symlink and an existing file get their own words. */
export function describeOpenError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'it is a symbolic link, which duet does not follow';
  if (code === 'EEXIST') return 'the file already exists';
  if (code === 'ENOTREG') return 'it is not a regular file';
  return errorMessage(error);
}

/** Writes `text` to `path` owner-only (replacing it); a UserError naming `what` when it cannot. */
export async function writePrivateFile(path: string, text: string | Uint8Array, what: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await openPrivate(path, 'replace');
  } catch (error) {
    throw new UserError(`${what} ${path}: cannot write (${describeOpenError(error)})`);
  }
  try {
    await handle.writeFile(text);
  } catch (error) {
    throw new UserError(`${what} ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  } finally {
    await handle.close();
  }
}
