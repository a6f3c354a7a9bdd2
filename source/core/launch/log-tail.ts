import { open } from 'node:fs/promises';

/** The last `lines` lines of a log file (reads at most its last 64 KiB), '' when unreadable. */
export async function logTail(path: string, lines = 15): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

/** Indents a tail under a message so that it reads as quoted output. */
export function quoteTail(tail: string): string {
  return tail === '' ? '  (log is empty)' : tail.split('\n').map((line) => `  | ${line}`).join('\n');
}
