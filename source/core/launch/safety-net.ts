/**
 * Last line of defence: whatever way duet leaves (normal exit, uncaught error,
 * process.exit, a signal nobody handles), no server it started outlives it. Normal
 * shutdown stops servers politely (SIGTERM, grace, SIGKILL); this only catches what is left.
 * Launched servers lead their own process group (so that Ctrl-C in the terminal does not
 * hit them before duet can stop them in order), which is why this is needed at all.
 */
const live = new Set<number>();
let installed = false;
const fatalSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

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

function killAll(signal: NodeJS.Signals): void {
  for (const pid of live) killGroup(pid, signal);
}

/**
 * A signal only we listen to would otherwise kill duet without an 'exit' event: take the
 * servers down with us, then die of the same signal as if we had not been listening.
 * When someone else handles it (duet run stops its servers in order), stand aside.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAll('SIGKILL');
  live.clear();
  process.off(signal, onSignal);
  process.kill(process.pid, signal);
}

export function track(pid: number): void {
  live.add(pid);
  if (installed) return;
  installed = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const signal of fatalSignals) process.on(signal, onSignal);
}

export function untrack(pid: number): void {
  live.delete(pid);
}

/** Pids still tracked (for tests). */
export function trackedPids(): number[] {
  return [...live];
}
