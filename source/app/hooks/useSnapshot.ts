import { useEffect, useRef, useState } from 'react';
import type { RunHandle } from '../../core/controller.js';
import type { Snapshot } from '../../core/metrics/snapshot.js';

/**
 * Once a second, like the headless status line (btop, nvitop and k9s refresh every 1-2 s):
 * the figures are windows of seconds, and a frame of this screen costs the run's main
 * thread some 15-35 ms (Ink measuring and styling every cell). Key presses redraw at once.
 */
export const TICK_MS = 1000;

/**
 * Samples `handle.snapshot()` on a fixed tick (never per token, never per event), so the
 * screen redraws at most 1000 / intervalMs times a second from data. `onTick` runs after
 * each sample (for the UI reducer's housekeeping).
 */
export function useSnapshot(handle: RunHandle, intervalMs: number = TICK_MS, onTick?: (snapshot: Snapshot) => void): Snapshot {
  const [snapshot, setSnapshot] = useState<Snapshot>(() => handle.snapshot());
  const tickRef = useRef(onTick);
  tickRef.current = onTick;
  useEffect(() => {
    const timer = setInterval(() => {
      const next = handle.snapshot();
      setSnapshot(next);
      tickRef.current?.(next);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [handle, intervalMs]);
  return snapshot;
}
