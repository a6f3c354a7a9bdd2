import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { closeSync, constants, fchmodSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sleep, systemClock, type Clock } from '../clock.js';
import { UserError } from '../errors.js';
import { ensureDir } from '../files/dirs.js';
import { PRIVATE_MODE } from '../files/write.js';
import { redactArgs } from '../secrets.js';
import type { ServerState } from '../events.js';
import type { LaunchProfile } from '../profile/schema.js';
import { logTail, quoteTail } from './log-tail.js';
import { waitForReady } from './readiness.js';
import { SERVE_NONCE_ENV } from '../serve/nonce.js';
import { verifyIdentity, type ServerIdentity } from './identity.js';
import { findExecutable, watchdogPrefix } from './watchdog.js';
import { killGroup, track, untrack } from './safety-net.js';

export interface ServerExit {
  code: number | null;
  signal: string | null;
}

export interface LaunchedServer {
  /** Pid of the current server process (changes on restart; 0 when attached). */
  readonly pid: number;
  /** Where its stdout and stderr go ('' when attached). */
  logPath: string;
  /** SIGTERM, then SIGKILL after stopGraceMs; resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the server is gone for good (stopped, died without restart, or restarts used up). */
  exited: Promise<ServerExit>;
}

export interface LaunchOptions {
  /** Model name, used for the log file (`<name>.log`) and in messages. */
  name: string;
  /** The session's log folder, e.g. logs/<session>. */
  logDir: string;
  clock?: Clock;
  onState?: (state: ServerState, detail?: string) => void;
  /** Servers already running (--attach): only poll readiness, start nothing. */
  attach?: boolean;
  /** Folder that a relative `cwd` resolves against (the profile's folder). */
  baseDir?: string;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  /** First restart delay, doubled after each restart (capped at 30 s). */
  restartDelayMs?: number;
  maxRestarts?: number;
  /** A restarted server that stays up this long is healthy again: its restart count and backoff start over. */
  stableAfterMs?: number;
  /** What proves the answering server is the one started (its /models list), not another on the port. */
  identity?: ServerIdentity;
}

/** A server that could not be started; the message carries the tail of its log. */
export class ServerLaunchError extends UserError {
  override readonly multiline = true;

  constructor(message: string) {
    super(message);
    this.name = 'ServerLaunchError';
  }
}

interface Running {
  pid: number;
  exit: Promise<ServerExit>;
}

/** The command line for the log header, with every secret argument hidden (secrets.ts). */
export function loggableCommand(command: string, args: readonly string[]): string {
  return [command, ...redactArgs(args)].join(' ');
}

function describeExit(exit: ServerExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** Starts one model server (no shell), logs its output, waits until it is ready. */
export async function launchServer(spec: LaunchProfile, options: LaunchOptions): Promise<LaunchedServer> {
  const clock = options.clock ?? systemClock;
  const onState = options.onState ?? (() => undefined);
  const label = `server "${options.name}"`;
  // A fresh nonce per start: a launched duet serve echoes it in /v1/models.
  let nonce = randomUUID();
  const identity = options.identity;
  const readiness = (signal?: AbortSignal) =>
    waitForReady(spec.readyUrl!, {
      ...(identity ? { verify: (s: AbortSignal) => verifyIdentity(identity, nonce, options.fetch ?? fetch, s) } : {}),
      timeoutMs: spec.readyTimeoutMs,
      clock,
      fetch: options.fetch,
      pollIntervalMs: options.pollIntervalMs,
      signal,
      onProgress: (s) => onState('starting', `starting (${s} s)`),
    });

  if (options.attach) {
    onState('starting', 'starting (0 s)');
    if (spec.readyUrl) {
      const result = await readiness();
      if (!result.ready) {
        throw new ServerLaunchError(`${label} at ${spec.readyUrl} not ready after ${Math.round(spec.readyTimeoutMs / 1000)} s (--attach starts nothing): ${result.lastError ?? 'no answer'}`);
      }
    }
    onState('ready');
    return { pid: 0, logPath: '', stop: async () => undefined, exited: new Promise<ServerExit>(() => undefined) };
  }

  try {
    ensureDir(options.logDir);
  } catch (error) {
    throw new ServerLaunchError(`${label}: cannot create its log folder ${options.logDir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const logPath = join(options.logDir, `${options.name.replace(/[^\w.-]+/g, '_')}.log`);
  const cwd = spec.cwd ? resolve(options.baseDir ?? process.cwd(), spec.cwd) : options.baseDir;
  let stopping = false;

  async function spawnOnce(): Promise<Running> {
    const env: Record<string, string> = { ...spec.env, [SERVE_NONCE_ENV]: (nonce = randomUUID()) };
    const command = findExecutable(spec.command, env.PATH ?? process.env.PATH ?? '', cwd ?? process.cwd());
    if (command === undefined) throw new ServerLaunchError(`${label}: cannot start "${spec.command}": not found${spec.command.includes('/') ? '' : ' on PATH'} or not executable (ENOENT)`);
    // The child writes straight into the log file: the log survives even if duet dies.
    // (execa's types accept file descriptors only as number literals, hence the cast.)
    // Owner-only like the session log (it holds the server's view of every prompt); never through a symlink.
    const fd = openSync(logPath, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW, PRIVATE_MODE) as 3;
    fchmodSync(fd, PRIVATE_MODE);
    // setpriv execs the server in place: the pid, group and exit status are the server's own.
    const watchdog = watchdogPrefix();
    const spawnChild = () =>
      execa(watchdog[0] ?? spec.command, [...watchdog.slice(1), ...(watchdog.length > 0 ? [spec.command] : []), ...spec.args], {
        cwd,
        env,
        extendEnv: true,
        stdin: 'ignore',
        stdout: fd,
        stderr: fd,
        detached: true, // its own process group, so that stop() also reaches its workers
        cleanup: false, // our safety net kills the whole group instead
        reject: false,
      });
    let child: ReturnType<typeof spawnChild>;
    try {
      writeSync(fd, `--- ${new Date().toISOString()} duet starts ${options.name}: ${loggableCommand(spec.command, spec.args)}\n`);
      child = spawnChild();
    } finally {
      closeSync(fd);
    }
    const exit = child.then((result) => ({ code: result.exitCode ?? null, signal: result.signal ?? null, failure: result.failed && result.exitCode === undefined && !result.signal ? result.shortMessage : undefined }));
    if (child.pid === undefined) {
      const { failure } = await exit;
      throw new ServerLaunchError(`${label}: cannot start "${spec.command}": ${failure ?? 'spawn failed'}`);
    }
    const pid = child.pid;
    track(pid);
    void exit.then(() => untrack(pid));
    return { pid, exit: exit.then(({ code, signal }) => ({ code, signal })) };
  }

  async function startAndWait(): Promise<Running> {
    const started = clock.now();
    onState('starting', 'starting (0 s)');
    const running = await spawnOnce();
    if (!spec.readyUrl) return running;
    const gone = new AbortController();
    let exit: ServerExit | undefined;
    void running.exit.then((e) => {
      exit = e;
      gone.abort();
    });
    const result = await readiness(gone.signal);
    if (result.ready) return running;
    if (exit) {
      const tail = await logTail(logPath);
      throw new ServerLaunchError(`${label} ${describeExit(exit)} before it was ready; last lines of ${logPath}:\n${quoteTail(tail)}`);
    }
    await stopProcess(running);
    const seconds = Math.round((clock.now() - started) / 1000);
    const tail = await logTail(logPath);
    throw new ServerLaunchError(
      `${label} not ready after ${seconds} s (${spec.readyUrl}: ${result.lastError ?? 'no answer'}); raise launch.readyTimeoutMs if it is still loading; last lines of ${logPath}:\n${quoteTail(tail)}`,
    );
  }

  async function stopProcess(running: Running): Promise<void> {
    let done = false;
    void running.exit.then(() => (done = true));
    await Promise.race([running.exit, sleep(0)]);
    if (done) return;
    killGroup(running.pid, 'SIGTERM');
    const graceful = await Promise.race([running.exit.then(() => true), sleep(spec.stopGraceMs).then(() => false)]);
    if (!graceful) killGroup(running.pid, 'SIGKILL');
    await running.exit;
  }

  let current = await startAndWait();
  onState('ready');

  let resolveExited!: (exit: ServerExit) => void;
  const exited = new Promise<ServerExit>((r) => (resolveExited = r));

  // Watches the server after it is ready: reports a death, restarts with backoff when asked to.
  async function watch(): Promise<void> {
    let restarts = 0;
    let readyAt = clock.now();
    for (;;) {
      const exit = await current.exit;
      if (stopping) return resolveExited(exit);
      // Without this, maxRestarts would be a lifetime limit: a server that crashes once an hour is abandoned on the sixth.
      if (clock.now() - readyAt >= (options.stableAfterMs ?? 60_000)) restarts = 0;
      const tail = (await logTail(logPath, 1)) || 'log is empty';
      onState('exited', `${describeExit(exit)} (${logPath}: ${tail})`);
      const maxRestarts = options.maxRestarts ?? 5;
      if (!spec.restart || restarts >= maxRestarts) {
        if (spec.restart) onState('down', `gave up after ${restarts} restarts`);
        return resolveExited(exit);
      }
      await sleep(Math.min(30_000, (options.restartDelayMs ?? 1_000) * 2 ** restarts));
      restarts++;
      if (stopping) return resolveExited(exit);
      try {
        current = await startAndWait();
        readyAt = clock.now();
        onState('ready', `restarted (${restarts})`);
      } catch (error) {
        onState('exited', error instanceof Error ? error.message.split('\n')[0] : String(error));
        if (restarts >= maxRestarts) {
          onState('down', `gave up after ${restarts} restarts`);
          return resolveExited(exit);
        }
      }
    }
  }
  void watch();

  let stopped: Promise<void> | undefined;
  return {
    get pid() {
      return current.pid;
    },
    logPath,
    exited,
    stop() {
      stopping = true;
      stopped ??= stopProcess(current).then(() => {
        onState('stopped');
      });
      return stopped;
    },
  };
}
