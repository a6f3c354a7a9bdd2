import { describe, expect, it } from 'vitest';
import { interpretKey } from '../../source/app/keys.js';
import { timelineBar } from '../../source/app/panels/ReplayBar.js';
import { Screen } from '../../source/app/Screen.js';
import { initialUiState } from '../../source/app/state.js';
import type { ReplayTimeline } from '../../source/core/session/replay.js';
import { snapshot } from './fixtures.js';
import { renderAt } from './render.js';

const timeline = (over: Partial<ReplayTimeline> = {}): ReplayTimeline => ({
  start: 1000,
  end: 41_000,
  playhead: 11_000,
  atEnd: false,
  segments: [
    { index: 0, t: 1000, label: 'round-robin' },
    { index: 1, t: 21_000, label: 'cascade' },
  ],
  ...over,
});

describe('replay timeline', () => {
  it('draws the whole log: played part heavy, the playhead a dot, a labelled tick at each segment start', () => {
    // 40 s over 40 columns: the playhead (10 s in) at column 10, segment 1 (20 s in) at column 20.
    const bar = timelineBar(timeline(), 40);
    expect(bar).toHaveLength(40);
    expect(bar.slice(0, 15)).toBe('━#0 round-●obin'); // the label sits after the tick; the playhead wins its cell
    expect(bar[10]).toBe('●');
    expect(bar[20]).toBe('┃');
    expect(bar.slice(21, 30)).toBe('#1 cascad');
    expect(bar.slice(31)).toBe('─────────');
  });

  it('shows position / total, END when it holds at the end, and takes one line from the panels', () => {
    const s = renderAt(<Screen snapshot={snapshot()} ui={initialUiState} mode="replay" title="r" columns={120} rows={40} timeline={timeline({ playhead: 41_000, atEnd: true })} />, { columns: 120, rows: 40 });
    const lines = s.lines();
    expect(lines).toHaveLength(39);
    expect(lines[2]).toMatch(/^0:40 \/ 0:40 ━#0 round-robin━+┃#1 cascade━+● END · space plays again$/);
    expect(lines.at(-1)).toContain('[/] segment');
    expect(s.lastFrame()).not.toContain('p, 1-8'); // no live-only hints in a replay
    s.unmount();
  });

  it('[ and ] seek by segment in a replay and change the weight in a live run', () => {
    const ctx = { ui: initialUiState, policy: 'round-robin', paused: false, now: 0 };
    expect(interpretKey(']', {}, { ...ctx, mode: 'replay' }).commands).toEqual([{ type: 'seekSegment', direction: 1 }]);
    expect(interpretKey('[', {}, { ...ctx, mode: 'replay' }).commands).toEqual([{ type: 'seekSegment', direction: -1 }]);
    expect(interpretKey(']', {}, { ...ctx, mode: 'live' }).commands).toEqual([{ type: 'adjustWeight', direction: 1 }]);
  });
});

describe('replay timeline in the app', () => {
  it("the App passes a replay handle's timeline to the screen", async () => {
    const { App } = await import('../../source/app/App.js');
    const { FakeHandle } = await import('./fakeHandle.js');
    const handle = Object.assign(new FakeHandle(), { timeline: () => timeline({ playhead: 21_000 }) });
    const s = renderAt(<App handle={handle} mode="replay" title="r" />, { columns: 120, rows: 40 });
    expect(s.lines()[2]).toMatch(/^0:20 \/ 0:40 /);
    s.unmount();
  });
});
