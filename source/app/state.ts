/**
 * UI state only (what is on screen, not what the run does): histogram metric, view,
 * help overlay, the optimistic paused flag, "stopping…", and one transient message.
 * Pure reducer; the keybindings hook and the run-event hook dispatch into it.
 */

export type HistogramMetric = 'e2e' | 'ttft' | 'tpot' | 'itl' | 'queue';
export const histogramMetrics: readonly HistogramMetric[] = ['e2e', 'ttft', 'tpot', 'itl', 'queue'];

export type View = 'main' | 'slowest';
export type Tone = 'info' | 'good' | 'warn' | 'bad';

export interface UiMessage {
  text: string;
  tone: Tone;
  expiresAt: number;
}

export interface UiState {
  metric: HistogramMetric;
  view: View;
  help: boolean;
  stopping: boolean;
  /** Set when space was pressed and the snapshot has not caught up yet. */
  pauseIntent?: { paused: boolean; at: number };
  message?: UiMessage;
}

export type UiAction =
  | { type: 'cycleMetric' }
  | { type: 'toggleView' }
  | { type: 'toggleHelp' }
  | { type: 'closeOverlays' }
  | { type: 'stopping' }
  | { type: 'pauseIntent'; paused: boolean; now: number }
  | { type: 'message'; text: string; tone: Tone; now: number; ttlMs?: number }
  /** On each tick: expire the message, drop the pause intent once the run agrees (or after 2 s). */
  | { type: 'tick'; now: number; paused: boolean };

export const initialUiState: UiState = { metric: 'e2e', view: 'main', help: false, stopping: false };

export const MESSAGE_TTL_MS = 5000;
const PAUSE_INTENT_TTL_MS = 2000;

export function uiReducer(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'cycleMetric': {
      const next = histogramMetrics[(histogramMetrics.indexOf(state.metric) + 1) % histogramMetrics.length]!;
      return { ...state, metric: next };
    }
    case 'toggleView':
      return { ...state, view: state.view === 'main' ? 'slowest' : 'main', help: false };
    case 'toggleHelp':
      return { ...state, help: !state.help };
    case 'closeOverlays':
      return state.help || state.view !== 'main' ? { ...state, help: false, view: 'main' } : state;
    case 'stopping':
      return state.stopping ? state : { ...state, stopping: true, help: false };
    case 'pauseIntent':
      return { ...state, pauseIntent: { paused: action.paused, at: action.now } };
    case 'message':
      return { ...state, message: { text: action.text, tone: action.tone, expiresAt: action.now + (action.ttlMs ?? MESSAGE_TTL_MS) } };
    case 'tick': {
      let next = state;
      if (state.message && action.now >= state.message.expiresAt) next = { ...next, message: undefined };
      const intent = state.pauseIntent;
      if (intent && (intent.paused === action.paused || action.now - intent.at >= PAUSE_INTENT_TTL_MS)) {
        next = { ...next, pauseIntent: undefined };
      }
      return next;
    }
  }
}

/** What the screen shows as paused: the key press wins until the run confirms it. */
export function effectivePaused(state: UiState, snapshotPaused: boolean): boolean {
  return state.pauseIntent?.paused ?? snapshotPaused;
}
