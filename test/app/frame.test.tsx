import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { enterAltScreen, ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN } from '../../source/app/alt-screen.js';
import { runLive } from '../../source/app/live.js';
import { statusLine } from '../../source/app/panels/StatusBar.js';
import { Screen } from '../../source/app/Screen.js';
import { initialUiState } from '../../source/app/state.js';
import type { Snapshot } from '../../source/core/metrics/snapshot.js';
import { FakeHandle } from './fakeHandle.js';
import { snapshot } from './fixtures.js';
import { FakeStdin, FakeStdout, renderAt, tick } from './render.js';

function screen(snap: Snapshot, columns: number, rows: number, ui = initialUiState) {
  return renderAt(<Screen snapshot={snap} ui={ui} mode="live" title="default" columns={columns} rows={rows} />, { columns, rows });
}

describe('the frame', () => {
  it.each([
    [60, 16],
    [80, 24],
    [120, 40],
    [200, 60],
  ])('fills %ix%i exactly (one line short, so Ink redraws in place) in every view', (columns, rows) => {
    for (const ui of [initialUiState, { ...initialUiState, help: true }, { ...initialUiState, view: 'slowest' as const }]) {
      const s = screen(snapshot(), columns, rows, ui);
      const lines = s.lines();
      expect(lines).toHaveLength(rows - 1);
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
      expect(lines.at(-1)).toMatch(/\? help {2}q quit$/);
      s.unmount();
    }
  });

  it('makes room for the server-metrics line of an HTTP model instead of clipping the ticker', () => {
    const base = snapshot();
    const withServer = { ...base.models.A, server: { problem: 'connection refused' } } as unknown as Snapshot['models']['A'];
    const s = screen(snapshot({ models: { A: withServer, B: base.models.B } }), 120, 40);
    const lines = s.lines();
    expect(lines).toHaveLength(39);
    expect(s.lastFrame()).toContain('server metrics: connection refused');
    expect(s.lastFrame()).toContain('unicorn'); // the ticker is still there
    expect(lines.at(-2)).toMatch(/^╰─+╯$/); // its bottom border just above the status bar
    s.unmount();
  });

  it.each([
    [59, 24],
    [80, 15],
    [40, 12],
  ])('at %ix%i asks for a larger terminal instead of scrolling', (columns, rows) => {
    const s = screen(snapshot(), columns, rows);
    const frame = s.lastFrame().replace(/\n/g, ' ');
    expect(frame).toContain('make the terminal at least 60x16');
    expect(frame).toContain(`now ${columns}x${rows}`);
    expect(s.lines().length).toBeLessThanOrEqual(rows - 1);
    s.unmount();
  });

  it('keeps help and quit on the status bar however narrow, cutting the other keys first', () => {
    const keys = 'p policy  1-8  +/- load  [/] weight  space pause  Tab metric:e2e  s save  v slowest';
    expect(statusLine(keys, 200)).toBe(`${keys}  ? help  q quit`);
    const narrow = statusLine(keys, 40);
    expect(narrow).toHaveLength(40);
    // 40 - 14 ('? help  q quit') - 2 = 24 columns for the rest: 23 characters and an ellipsis.
    expect(narrow).toBe('p policy  1-8  +/- load…  ? help  q quit');
    expect(statusLine(keys, 12)).toBe('? help  q q…');
  });
});

describe('alternate screen', () => {
  it('enters once, leaves once, and leaves on process exit when nobody else did', () => {
    const out = new FakeStdout(80, 24);
    const proc = new EventEmitter();
    const alt = enterAltScreen(out as unknown as NodeJS.WriteStream, proc as unknown as NodeJS.Process);
    expect(out.frames).toEqual([ENTER_ALT_SCREEN]);
    proc.emit('exit');
    alt.leave();
    expect(out.frames).toEqual([ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN]);
  });

  it('the live screen draws inside it and restores the terminal before returning', async () => {
    const handle = new FakeHandle();
    const stdout = Object.assign(new FakeStdout(120, 40), { isTTY: true });
    const done = runLive(handle, { mode: 'live', title: 'default', stdout: stdout as unknown as NodeJS.WriteStream, stdin: new FakeStdin() as unknown as NodeJS.ReadStream });
    await tick(50);
    expect(stdout.frames[0]).toBe(ENTER_ALT_SCREEN);
    expect(stdout.frames.join('')).toContain('duet · default');
    handle.finish('quit');
    await done;
    const all = stdout.frames.join('');
    expect(all.lastIndexOf(LEAVE_ALT_SCREEN)).toBeGreaterThan(all.lastIndexOf('duet · default'));
    expect(all.split(LEAVE_ALT_SCREEN)).toHaveLength(2);
  });
});

describe('help on a small terminal', () => {
  it('keeps every key line in order and clips only at the bottom', () => {
    const reason = 'npu-smi: not found (looked for "npu-smi"; set telemetry.npuSmiPath); nvidia-smi: not found; rapl: no RAPL package counters under /sys/class/powercap';
    const snap = snapshot({ power: { status: [{ source: 'npu-smi', state: 'unavailable', reason, intervalMs: 1000 }], devices: [], powerSeries: [], samples: 0 } });
    const s = screen(snap, 80, 24, { ...initialUiState, help: true });
    const lines = s.lines();
    expect(lines).toHaveLength(23);
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('keys (live run)')).toBe(3);
    const order = ['p      next', '1-8', '+/-', '[/]', 'space', 'Tab', 's      save', 'v      show', '?      show', 'q      quit'].map(at);
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(lines.at(-1)).toMatch(/\? help {2}q quit$/);
    s.unmount();
  });
});
