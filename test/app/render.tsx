import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import type { ReactElement } from 'react';
import { createTheme, ThemeContext } from '../../source/app/theme.js';

/** A fake terminal of a given size: records frames, can be resized. */
export class FakeStdout extends EventEmitter {
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface Rendered {
  lastFrame(): string;
  lines(): string[];
  stdin: FakeStdin;
  resize(columns: number, rows: number): void;
  unmount(): void;
}

/** Renders at a given terminal size (ink-testing-library's stdout is always 100 columns). */
export function renderAt(node: ReactElement, { columns = 120, rows = 40, noColor = true } = {}): Rendered {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = inkRender(<ThemeContext.Provider value={createTheme(noColor)}>{node}</ThemeContext.Provider>, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const lastFrame = () => stdout.frames[stdout.frames.length - 1] ?? '';
  return {
    lastFrame,
    lines: () => lastFrame().split('\n'),
    stdin,
    resize(c, r) {
      stdout.columns = c;
      stdout.rows = r;
      stdout.emit('resize');
    },
    unmount: () => instance.unmount(),
  };
}

export const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `predicate` holds (or `ms` passes) and returns its last value: robust on a loaded machine. */
export async function waitFor(predicate: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!predicate() && Date.now() < end) await tick(20);
  return predicate();
}
