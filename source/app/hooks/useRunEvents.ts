import { useEffect, type Dispatch } from 'react';
import type { RunHandle } from '../../core/controller.js';
import type { RunEvent } from '../../core/events.js';
import type { UiAction } from '../state.js';

/** The few run events worth a transient message; everything else reaches the screen via snapshots. */
export function messageFor(event: RunEvent): { text: string; tone: 'info' | 'good' | 'warn' | 'bad' } | undefined {
  switch (event.type) {
    case 'save':
      return { text: `session log saved: ${event.path}`, tone: 'good' };
    case 'policy-switch':
      return { text: `policy ${event.from} → ${event.to} (segment ${event.segment})`, tone: 'info' };
    case 'warning':
      return { text: event.message, tone: 'warn' };
    case 'server':
      if (event.state === 'down' || event.state === 'exited') {
        return { text: `model ${event.model} ${event.state}${event.detail ? `: ${event.detail}` : ''}`, tone: 'bad' };
      }
      return undefined;
    default:
      return undefined;
  }
}

export function useRunEvents(handle: RunHandle, dispatch: Dispatch<UiAction>, now: () => number = () => performance.now()): void {
  useEffect(
    () =>
      handle.subscribe((event) => {
        const message = messageFor(event);
        if (message) dispatch({ type: 'message', ...message, now: now() });
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [handle, dispatch],
  );
}
