import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Launched servers must die with duet, even when duet is killed with SIGKILL (no exit
 * handler runs then). On Linux the kernel does it: the server is started through
 * util-linux `setpriv --pdeathsig TERM`, which sets PR_SET_PDEATHSIG and then execs the
 * server in place (same pid, same process group, same exit status), so the server gets
 * SIGTERM the moment duet is gone, and shuts its workers down in its own way. Without
 * setpriv (macOS, minimal images) the safety net's exit handlers are all there is.
 */
export const DEATH_SIGNAL = 'TERM';

let setpriv: string | null | undefined;

/** The argv prefix that binds a child to duet's lifetime ([] where that is not available). */
export function watchdogPrefix(): string[] {
  if (process.platform !== 'linux') return [];
  setpriv ??= findExecutable('setpriv', process.env.PATH ?? '') ?? findExecutable('setpriv', '/usr/bin:/bin:/usr/sbin:/sbin');
  return setpriv ? [setpriv, '--pdeathsig', DEATH_SIGNAL, '--'] : [];
}

/** Where `command` would be run from (PATH search for a bare name, `cwd` for a relative path); undefined when nowhere. */
export function findExecutable(command: string, path: string, cwd = process.cwd()): string | undefined {
  const candidates = command.includes('/') ? [isAbsolute(command) ? command : resolve(cwd, command)] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
