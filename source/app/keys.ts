import type { RunCommand } from '../core/events.js';
import { policyNames } from '../core/profile/schema.js';
import type { UiAction, UiState } from './state.js';

/**
 * The key map, as data: what each key does in live and replay mode. The status bar, the
 * help overlay and docs/screen.md are all drawn from `keyTable`, and `interpretKey`
 * turns a key press into commands for the run and actions for the UI reducer.
 */

export type Mode = 'live' | 'replay';

export interface KeyHelp {
  keys: string;
  /** Short label for the status bar. */
  short: string;
  description: string;
}

const liveKeys: KeyHelp[] = [
  { keys: 'p', short: 'policy', description: 'next scheduling policy (starts a new segment)' },
  { keys: '1-8', short: '', description: `choose a policy: ${policyNames.map((p, i) => `${i + 1} ${p}`).join(', ')}` },
  { keys: '+/-', short: 'load', description: 'raise / lower the load (rate or concurrency)' },
  { keys: '[/]', short: 'weight', description: 'weight of the weighted policy (share sent to A)' },
  { keys: 'space', short: 'pause', description: 'pause / resume issuing questions' },
  { keys: 'Tab', short: 'metric', description: 'histogram metric: e2e → ttft → tpot → itl → queue' },
  { keys: 's', short: 'save', description: 'save the session log now and show its path' },
  { keys: 'v', short: 'slowest', description: 'show / hide the slowest requests with their timing breakdown' },
  { keys: '?', short: 'help', description: 'show / hide this help' },
  { keys: 'q', short: 'quit', description: 'quit (also Ctrl-C): finish in-flight work, flush the log, print the summary' },
];

const replayKeys: KeyHelp[] = [
  { keys: 'space', short: 'pause', description: 'pause / resume the replay' },
  { keys: '←/→', short: 'seek', description: 'seek 10 s back / forward' },
  { keys: '[/]', short: 'segment', description: 'seek to the start of this (or the previous) / the next segment' },
  { keys: '+/-', short: 'speed', description: 'replay faster / slower' },
  { keys: 'Tab', short: 'metric', description: 'histogram metric: e2e → ttft → tpot → itl → queue' },
  { keys: 'v', short: 'slowest', description: 'show / hide the slowest requests' },
  { keys: '?', short: 'help', description: 'show / hide this help' },
  { keys: 'q', short: 'quit', description: 'quit (also Ctrl-C)' },
];

export function keyTable(mode: Mode): readonly KeyHelp[] {
  return mode === 'live' ? liveKeys : replayKeys;
}

/** The subset of Ink's Key that matters here. */
export interface KeyInfo {
  tab?: boolean;
  ctrl?: boolean;
  escape?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
}

export interface KeyContext {
  mode: Mode;
  ui: UiState;
  /** Current policy and paused state as shown (the latest snapshot, with UI intent applied). */
  policy: string;
  paused: boolean;
  now: number;
}

export interface KeyResult {
  commands: RunCommand[];
  actions: UiAction[];
}

export const SEEK_STEP_MS = 10_000;

export function nextPolicy(current: string): string {
  const index = policyNames.indexOf(current as (typeof policyNames)[number]);
  return policyNames[(index + 1) % policyNames.length]!;
}

export function interpretKey(input: string, key: KeyInfo, ctx: KeyContext): KeyResult {
  const commands: RunCommand[] = [];
  const actions: UiAction[] = [];
  const result = { commands, actions };
  if (input === 'q' || (key.ctrl && input === 'c')) {
    // Ctrl-C ends a live run as SIGINT would (exit 130), q as a quit (exit 0).
    commands.push(key.ctrl && ctx.mode === 'live' ? { type: 'quit', signal: 'SIGINT' } : { type: 'quit' });
    actions.push({ type: 'stopping' });
    return result;
  }
  if (ctx.ui.stopping) return result;

  if (key.tab) actions.push({ type: 'cycleMetric' });
  else if (key.escape) actions.push({ type: 'closeOverlays' });
  else if (input === '?') actions.push({ type: 'toggleHelp' });
  else if (input === 'v') actions.push({ type: 'toggleView' });
  else if (input === ' ') {
    commands.push({ type: 'pause', paused: !ctx.paused });
    actions.push({ type: 'pauseIntent', paused: !ctx.paused, now: ctx.now });
  } else if (input === '+' || input === '=') commands.push({ type: 'adjustLoad', direction: 1 });
  else if (input === '-' || input === '_') commands.push({ type: 'adjustLoad', direction: -1 });
  else if (ctx.mode === 'replay') {
    if (key.leftArrow) commands.push({ type: 'seek', deltaMs: -SEEK_STEP_MS });
    else if (key.rightArrow) commands.push({ type: 'seek', deltaMs: SEEK_STEP_MS });
    else if (input === '[') commands.push({ type: 'seekSegment', direction: -1 });
    else if (input === ']') commands.push({ type: 'seekSegment', direction: 1 });
  } else if (input === 'p') commands.push({ type: 'setPolicy', policy: nextPolicy(ctx.policy) });
  else if (/^[1-9]$/.test(input) && Number(input) <= policyNames.length) {
    commands.push({ type: 'setPolicy', policy: policyNames[Number(input) - 1]! });
  } else if (input === '[') commands.push({ type: 'adjustWeight', direction: -1 });
  else if (input === ']') commands.push({ type: 'adjustWeight', direction: 1 });
  else if (input === 's') {
    commands.push({ type: 'save' });
    actions.push({ type: 'message', text: 'saving the session log…', tone: 'info', now: ctx.now });
  }
  return result;
}
