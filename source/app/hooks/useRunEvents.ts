import { useEffect, useRef, type Dispatch } from 'react';
import type { RunHandle } from '../../core/controller.js';
import type { RunEvent } from '../../core/events.js';
import type { UiAction } from '../state.js';

/** A request that failed, for the ticker (the snapshot's recent answers hold only successes). */
export interface FailedAnswer {
  seq: number;
  model: 'A' | 'B';
  question: string;
  error: string;
  e2eMs: number;
}

/** Drops the engine's "model "x", request 1:A: " prefix: the ticker already shows both. */
export function shortError(error: string): string {
  return error.replace(/^model "[^"]*", request \S+: /, '');
}

export function failureOf(event: RunEvent): FailedAnswer | undefined {
  if (event.type !== 'query-failed' || event.record.warmup) return undefined;
  const r = event.record;
  return {
    seq: r.seq,
    model: r.model,
    question: r.question ?? r.questionId,
    error: shortError(r.error ?? (r.timedOut ? 'timed out' : 'failed')),
    e2eMs: r.tDone - r.tIssued,
  };
}

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

/**
 * The one subscription to the run's events: transient messages go to the reducer at once;
 * failures are kept in a ref (no re-render per event) and show on the next tick.
 * Returns a getter for the latest failures, newest first.
 */
export function useRunEvents(handle: RunHandle, dispatch: Dispatch<UiAction>, now: () => number = () => performance.now(), capacity = 20): () => readonly FailedAnswer[] {
  const failures = useRef<FailedAnswer[]>([]);
  useEffect(
    () =>
      handle.subscribe((event) => {
        const failure = failureOf(event);
        if (failure) failures.current = [failure, ...failures.current].slice(0, capacity);
        const message = messageFor(event);
        if (message) dispatch({ type: 'message', ...message, now: now() });
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [handle, dispatch, capacity],
  );
  return () => failures.current;
}
