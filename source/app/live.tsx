// Must stay the first import: it has to run before ink is loaded.
import './tty-env.js';
import { render } from 'ink';
import type { RunHandle, RunOutcome } from '../core/controller.js';
import { enterAltScreen } from './alt-screen.js';
import { App } from './App.js';
import type { Mode } from './keys.js';
import { createTheme, noColorFromEnv, ThemeContext } from './theme.js';

export interface LiveOptions {
  mode: Mode;
  title: string;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/** Ink caps writes at this rate (key presses); the snapshot tick (1 s) is the usual pace. */
export const MAX_FPS = 10;

/**
 * Ink's render options for the live screen: at most MAX_FPS writes a second (the data
 * changes at the 1 s tick), console output routed above the frame. Ink 6.8's
 * incremental rendering (rewrite only changed lines) is off: in tmux at 120x40 it left
 * stale and doubled lines in this frame; a whole frame once a second is cheap enough.
 */
export const RENDER_OPTIONS = { exitOnCtrlC: false, patchConsole: true, maxFps: MAX_FPS, incrementalRendering: false } as const;

/**
 * Shows the live screen (in the alternate screen) until the run finishes, then unmounts,
 * restores the terminal and returns the outcome; the caller prints the summary after the
 * screen is gone. Without a TTY (the caller should not call this then) it renders
 * nothing and just waits for the run.
 */
export async function runLive(handle: RunHandle, options: LiveOptions): Promise<RunOutcome> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  if (!stdout.isTTY) return handle.finished;
  const theme = createTheme(noColorFromEnv());
  const alt = enterAltScreen(stdout);
  let instance: ReturnType<typeof render>;
  try {
    instance = render(
      <ThemeContext.Provider value={theme}>
        <App handle={handle} mode={options.mode} title={options.title} />
      </ThemeContext.Provider>,
      { stdout, stdin, ...RENDER_OPTIONS },
    );
  } catch (error) {
    alt.leave();
    throw error;
  }
  try {
    return await handle.finished;
  } finally {
    instance.unmount();
    await instance.waitUntilExit().catch(() => undefined);
    instance.cleanup();
    alt.leave();
  }
}
