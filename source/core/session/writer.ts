/**
 * Session log writer.
 *
 * FORMAT (schema 1): JSON Lines, UTF-8, one JSON object per line, append-only.
 *   line 1    the header (SessionHeader in header.ts):
 *             { kind: 'duet-session', schema: 1, duetVersion, wallStart (ISO 8601),
 *               profile (secrets redacted), host { cpuModel, cores, memoryBytes,
 *               freeMemoryBytes, os, arch, node, accelerators? },
 *               models { A: EngineInfo, B: EngineInfo } (synthetic flag included),
 *               dataset { path, hash (sha256 hex of the file), questions } }
 *   line 2..  one RunEvent each (source/core/events.ts), exactly as emitted: `type`
 *             plus `t`, the run's monotonic clock in ms (wall time = wallStart +
 *             (t - t of run-start)). The first event is `run-start`; a complete log
 *             ends with `run-end`. `query-finished` / `query-failed` carry the whole
 *             QueryRecord (prediction, gold, em, f1, timings). Cascade: both records of
 *             an escalated question have `escalated: true`; A's is superseded, B's final.
 * Readers: a log cut anywhere (SIGKILL, full disk) ends in at most one partial line;
 * skip it with a warning. A log without run-end was interrupted.
 *
 * Durability: lines are buffered and appended at least every `flushIntervalMs`
 * (default 1000) and on flush()/close(), so a killed process loses at most about a
 * second. The file is the owner's only (0600, an existing one too: prompts and answers may
 * be private). A new log is created exclusively: an existing file (an earlier run's log)
 * is an error unless `append` is asked for, and a symlink is never followed. A writer
 * holds `<log>.lock` (created exclusively, holding its pid; removed on close, taken over
 * when its pid is gone) so that two runs cannot interleave in one file, appending or not;
 * readers split appended runs at their headers.
 * A write error (ENOSPC, EACCES, EIO...) never crashes the run: it is reported once
 * through `onError` (the controller turns it into a `warning` event) and the writer
 * stops writing.
 */
import { lstat, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage, UserError } from '../errors.js';
import { ensureDir } from '../files/dirs.js';
import { describeOpenError, openPrivate } from '../files/write.js';
import type { RunEvent } from '../events.js';
import type { SessionHeader } from './header.js';

export type { SessionHeader } from './header.js';

export interface SessionLog {
  readonly path: string;
  /** Queues one event (never throws, never blocks). */
  write(event: RunEvent): void;
  /** Appends everything queued. */
  flush(): Promise<void>;
  /** Flushes and closes; later writes are dropped. */
  close(): Promise<void>;
  /** True once a write failed and the writer stopped. */
  readonly failed: boolean;
}

export interface SessionLogOptions {
  flushIntervalMs?: number;
  /** Called once, with one line, when writing fails. */
  onError?: (message: string) => void;
  /** Add to an existing log (a second run in one file) instead of refusing it. */
  append?: boolean;
}

/** Opens (creates or appends to) a session log and queues its header. Throws a UserError when the file cannot be opened. */
export async function openSessionLog(path: string, header: SessionHeader, options: SessionLogOptions = {}): Promise<SessionLog> {
  const cannotOpen = (error: unknown) => new UserError(`session log: cannot open ${path} for writing (${describeOpenError(error)}); choose another --log PATH or pass --no-log`);
  try {
    ensureDir(dirname(path));
  } catch (error) {
    throw cannotOpen(error);
  }
  // A character device (/dev/null to discard, /dev/full to test a full disk) is no run's file to protect.
  if ((await lstat(path).catch(() => undefined))?.isCharacterDevice()) {
    let device: FileHandle;
    try {
      device = await open(path, 'a');
    } catch (error) {
      throw cannotOpen(error);
    }
    return startLog(new JsonlLog(path, device, options), header);
  }
  const unlock = await lockLog(path);
  let handle: FileHandle;
  try {
    handle = await openPrivate(path, options.append ? 'append' : 'new');
  } catch (error) {
    await unlock();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await lstat(path).catch(() => undefined))?.isSymbolicLink()) throw cannotOpen(Object.assign(new Error('symlink'), { code: 'ELOOP' }));
    if (code === 'EEXIST') {
      throw new UserError(`--log ${path}: the file already exists (an earlier run's log?); choose another path, or pass --append-log to add this run to it`);
    }
    throw cannotOpen(error);
  }
  return startLog(new JsonlLog(path, handle, options, unlock), header);
}

async function startLog(log: JsonlLog, header: SessionHeader): Promise<SessionLog> {
  log.writeLine(JSON.stringify(header));
  await log.flush();
  return log;
}

/** Takes `<path>.lock` exclusively (a stale one, whose pid is gone, is taken over); returns its release. */
async function lockLog(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await openPrivate(lockPath, 'new');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UserError(`session log: cannot lock ${path} (${describeOpenError(error)} at ${lockPath})`);
      }
      const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (attempt === 0 && Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid)) {
        await rm(lockPath, { force: true });
        continue;
      }
      throw new UserError(`--log ${path}: another duet run${Number.isSafeInteger(pid) && pid > 0 ? ` (pid ${pid})` : ''} is writing it (${lockPath}); choose another --log PATH`);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Bytes per pending chunk: lines are encoded into chunks as they come (see JsonlLog). */
const CHUNK_BYTES = 256 * 1024;
const FLUSH_CHUNKS = 4;

/**
 * Lines are UTF-8-encoded into fixed-size chunks as they are written rather than kept as
 * strings until the next flush: a second of strings survives young-generation GCs and
 * gets promoted, which made the log the run's largest GC cost. Flushing writes the
 * filled chunks plus the used part of the current one.
 */
class JsonlLog implements SessionLog {
  private full: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  failed = false;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly options: SessionLogOptions,
    private readonly unlock?: () => Promise<void>,
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  write(event: RunEvent): void {
    this.writeLine(JSON.stringify(event));
  }

  writeLine(line: string): void {
    if (this.closed || this.failed) return;
    // line.length UTF-16 units encode to at most 3 bytes each (+1 for the newline).
    if (this.used + line.length * 3 + 1 > this.chunk.length) {
      const bytes = Buffer.byteLength(line) + 1;
      if (this.used + bytes > this.chunk.length) this.nextChunk(bytes);
    }
    this.used += this.chunk.write(line, this.used, 'utf8');
    this.chunk[this.used++] = 0x0a;
  }

  flush(): Promise<void> {
    // Appends are chained so lines keep their order even when flushes overlap.
    this.writing = this.writing.then(() => this.append());
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.closed) return this.writing;
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    await this.handle.close().catch(() => {});
    await this.unlock?.().catch(() => {});
  }

  /** Retires the current chunk and starts one that can hold at least `bytes`. */
  private nextChunk(bytes: number): void {
    if (this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.used = 0;
    // A fast run fills chunks quicker than the timer flushes: bound what is held.
    if (this.full.length >= FLUSH_CHUNKS) void this.flush();
  }

  private async append(): Promise<void> {
    if (this.failed || (this.full.length === 0 && this.used === 0)) return;
    // The current chunk's used part is copied so it can keep filling while the append runs.
    const data = Buffer.concat([...this.full, this.chunk.subarray(0, this.used)]);
    this.full = [];
    this.used = 0;
    try {
      await this.handle.appendFile(data);
    } catch (error) {
      this.failed = true;
      clearInterval(this.timer);
      this.options.onError?.(`session log ${this.path}: ${errorMessage(error)}; no longer writing it`);
    }
  }
}
