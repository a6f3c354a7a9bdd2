import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Thread priorities. On Linux a nice value belongs to a thread, not to the process, so the
 * main thread (the screen, the metrics fold, the log writer) can step back and let the
 * threads that take the timings (measuring-plane clients) and compute the answers (model
 * workers) win a contended CPU. Lowering one's own priority needs no privilege.
 */

/** The calling thread's kernel id (Linux: /proc/thread-self -> "<pid>/task/<tid>"); undefined elsewhere. */
export function kernelThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Lowers the calling thread's priority by `steps` nice levels (capped at 19); false where it cannot. */
export function lowerThreadPriority(steps: number): boolean {
  const tid = kernelThreadId();
  if (tid === undefined) return false;
  try {
    setPriority(tid, Math.min(19, getPriority(tid) + steps));
    return true;
  } catch {
    return false;
  }
}
