import { useEffect, useRef, useState } from 'react';
import type { RunHandle } from '../../core/controller.js';
import type { Snapshot } from '../../core/metrics/snapshot.js';

/**
 * Twice a second, as btop, nvitop and k9s refresh: the figures are windows of seconds,
 * and each frame of this screen costs the run several milliseconds of the main thread.
 * Key presses redraw at once, not on the tick.
 */
export const TICK_MS = 500;

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
