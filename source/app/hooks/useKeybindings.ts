import { useInput, useStdin } from 'ink';
import { useReducer, useRef, type Dispatch } from 'react';
import type { RunHandle } from '../../core/controller.js';
import type { Snapshot } from '../../core/metrics/snapshot.js';
import { interpretKey, type Mode } from '../keys.js';
import { effectivePaused, initialUiState, uiReducer, type UiAction, type UiState } from '../state.js';

/**
 * The UI state and the keys, in one hook. Keys are handled on input (not on the tick):
 * commands go to the run at once, UI actions re-render at once.
 */
export function useKeybindings(
  handle: RunHandle,
  mode: Mode,
  latest: () => Snapshot,
  now: () => number = () => performance.now(),
): { ui: UiState; dispatch: Dispatch<UiAction> } {
  const [ui, dispatch] = useReducer(uiReducer, initialUiState);
  const uiRef = useRef(ui);
  uiRef.current = ui;
  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      const current = uiRef.current;
      const snapshot = latest();
      const result = interpretKey(input, key, {
        mode,
        ui: current,
        policy: snapshot.policy,
        paused: effectivePaused(current, snapshot.paused),
        now: now(),
      });
      // UI first: a run may answer a command synchronously (save emits its path at once),
      // and that answer must not be overwritten by the key's own "saving…" message.
      for (const action of result.actions) {
        // Keep the ref current so a second key in the same chunk sees the first one's effect.
        uiRef.current = uiReducer(uiRef.current, action);
        dispatch(action);
      }
      for (const command of result.commands) handle.send(command);
    },
    { isActive: isRawModeSupported === true },
  );
  return { ui, dispatch };
}
