/**
 * Last line of defence: whatever path duet takes out (normal exit, uncaught error,
 * process.exit), no server it started outlives it. Normal shutdown stops servers
 * politely (SIGTERM, grace, SIGKILL); this only catches what is left, with SIGKILL.
 */
const live = new Set<number>();
let installed = false;

/** Kills a server and its whole process group (launched servers lead their own group). */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function track(pid: number): void {
  live.add(pid);
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  });
}

export function untrack(pid: number): void {
  live.delete(pid);
}

/** Pids still tracked (for tests). */
export function trackedPids(): number[] {
  return [...live];
}
