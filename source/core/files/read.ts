import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { errorMessage, UserError } from '../errors.js';

/**
 * Reading files a user names (datasets, predictions, profiles, session logs) without
 * hanging or exhausting memory: only regular files (a FIFO with no writer would block
 * forever, /dev/zero never ends, a folder is a mistake), and at most `maxBytes`.
 */

/** Near the most a file can be as one JavaScript string (V8's limit is 2^29 - 24 characters). */
export const MAX_TEXT_BYTES = 500 * 1024 * 1024;

export interface UserFileOptions {
  /** What the file is, for messages: "dataset", "session log", "profile". */
  what: string;
  /** Refuse larger files (default MAX_TEXT_BYTES). */
  maxBytes?: number;
  /** The reason shown with the size limit. */
  limitHint?: string;
  /** Messages (after "<path>: ") for the two common mistakes, when the default words do not fit. */
  notFound?: string;
  folder?: string;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** Stats `path` and refuses anything but a regular file, in one line naming the file. */
export async function regularFileStats(path: string, options: UserFileOptions): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: ${options.notFound ?? `${options.what} not found`}`);
    throw new UserError(`${path}: cannot read the ${options.what} (${code ?? errorMessage(error)})`);
  }
  if (stats.isDirectory()) throw new UserError(`${path}: ${options.folder ?? `is a folder, expected a ${options.what} file`}`);
  if (!stats.isFile()) throw new UserError(`${path}: is not a regular file (${kindOf(stats)}), expected a ${options.what} file`);
  const maxBytes = options.maxBytes ?? MAX_TEXT_BYTES;
  if (stats.size > maxBytes) {
    throw new UserError(`${path}: the ${options.what} is ${formatBytes(stats.size)}, more than the ${formatBytes(maxBytes)} duet reads${options.limitHint ? ` (${options.limitHint})` : ''}`);
  }
  return stats;
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * The bytes of a regular file of at most `maxBytes`. Opened non-blocking and checked
 * again on the open descriptor, so a file swapped for a FIFO after the stat cannot hang
 * the read; a file that grows meanwhile is refused rather than read on without end.
 */
export async function readUserFile(path: string, options: UserFileOptions): Promise<Buffer> {
  await regularFileStats(path, options);
  const maxBytes = options.maxBytes ?? MAX_TEXT_BYTES;
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UserError(`${path}: cannot read the ${options.what} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UserError(`${path}: is not a regular file (${kindOf(stats)}), expected a ${options.what} file`);
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new UserError(`${path}: the ${options.what} grew while being read; read it when nothing writes to it`);
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${path}: cannot read the ${options.what} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  } finally {
    await handle.close();
  }
}
