import { useCallback, useRef } from 'react';
import type { RunHandle } from '../core/controller.js';
import type { Snapshot } from '../core/metrics/snapshot.js';
import type { ReplayTimeline } from '../core/session/replay.js';
import { terminalSafe, terminalSafeDeep } from '../core/text/sanitize.js';
import { useKeybindings } from './hooks/useKeybindings.js';
import { useRunEvents } from './hooks/useRunEvents.js';
import { TICK_MS, useSnapshot } from './hooks/useSnapshot.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import type { Mode } from './keys.js';
import { Screen } from './Screen.js';

export interface AppProps {
  handle: RunHandle;
  mode: Mode;
  title: string;
  /** Snapshot interval (ms); 250 by default. */
  tickMs?: number;
  /** Injectable clock for transient messages (ms). */
  now?: () => number;
}

/** A replay handle (session/replay.ts) carries its playback speed; a live run has none. */
export function replaySpeed(handle: RunHandle): number | undefined {
  const speed = (handle as RunHandle & { speed?: unknown }).speed;
  return typeof speed === 'number' && Number.isFinite(speed) ? speed : undefined;
}

/** A replay handle also tells where its playhead is in the log. */
export function replayTimeline(handle: RunHandle): ReplayTimeline | undefined {
  const timeline = (handle as RunHandle & { timeline?: unknown }).timeline;
  return typeof timeline === 'function' ? (timeline as () => ReplayTimeline).call(handle) : undefined;
}

/** Wires the hooks to the pure Screen: tick-sampled snapshot, keys, run events, terminal size. */
export function App({ handle, mode, title, tickMs = TICK_MS, now = () => performance.now() }: AppProps) {
  const latestRef = useRef<Snapshot | undefined>(undefined);
  const latest = useCallback(() => latestRef.current ?? handle.snapshot(), [handle]);
  const { ui, dispatch } = useKeybindings(handle, mode, latest, now);
  const uiRef = useRef(ui);
  uiRef.current = ui;
  const snapshot = useSnapshot(handle, tickMs, (next) => {
    const current = uiRef.current;
    if (current.message || current.pauseIntent) dispatch({ type: 'tick', now: now(), paused: next.paused });
  });
  latestRef.current = snapshot;
  const failures = useRunEvents(handle, dispatch, now);
  const { columns, rows } = useTerminalSize();
  // Everything shown that came from a dataset, a model, a server or a log is made terminal-safe here, once.
  return <Screen snapshot={terminalSafeDeep(snapshot)} ui={terminalSafeDeep(ui)} mode={mode} title={terminalSafe(title)} columns={columns} rows={rows} speed={replaySpeed(handle)} failures={terminalSafeDeep(failures())} timeline={terminalSafeDeep(replayTimeline(handle))} />;
}
