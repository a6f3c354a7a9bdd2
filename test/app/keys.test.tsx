import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../source/app/App.js';
import { interpretKey, nextPolicy } from '../../source/app/keys.js';
import { initialUiState } from '../../source/app/state.js';
import { FakeHandle } from './fakeHandle.js';
import { record, snapshot } from './fixtures.js';
import { renderAt, tick, waitFor, type Rendered } from './render.js';

let mounted: Rendered | undefined;
afterEach(() => {
  mounted?.unmount();
  mounted = undefined;
});

async function app(mode: 'live' | 'replay' = 'live', handle = new FakeHandle(), tickMs = 1000) {
  mounted = renderAt(<App handle={handle} mode={mode} title="default" tickMs={tickMs} />, { columns: 120, rows: 40 });
  await waitFor(() => mounted!.lastFrame().includes('duet'));
  await tick(20); // let useInput subscribe
  return { handle, screen: mounted };
}

async function press(screen: Rendered, ...keys: string[]) {
  for (const key of keys) {
    screen.stdin.write(key);
    await tick(40); // Ink throttles frames (30 fps by default)
  }
}

describe('live keys send the right commands', () => {
  it.each([
    ['p', { type: 'setPolicy', policy: 'shortest-queue' }],
    // The digits as the help and README list them.
    ['1', { type: 'setPolicy', policy: 'round-robin' }],
    ['2', { type: 'setPolicy', policy: 'shortest-queue' }],
    ['3', { type: 'setPolicy', policy: 'weighted' }],
    ['4', { type: 'setPolicy', policy: 'small-only' }],
    ['5', { type: 'setPolicy', policy: 'large-only' }],
    ['6', { type: 'setPolicy', policy: 'mirror' }],
    ['7', { type: 'setPolicy', policy: 'slo' }],
    ['8', { type: 'setPolicy', policy: 'cascade' }],
    ['+', { type: 'adjustLoad', direction: 1 }],
    ['=', { type: 'adjustLoad', direction: 1 }],
    ['-', { type: 'adjustLoad', direction: -1 }],
    ['[', { type: 'adjustWeight', direction: -1 }],
    [']', { type: 'adjustWeight', direction: 1 }],
    [' ', { type: 'pause', paused: true }],
    ['s', { type: 'save' }],
    ['q', { type: 'quit' }],
    // Ctrl-C: raw mode makes it a key, and it ends the run as SIGINT would (exit 130).
    ['\u0003', { type: 'quit', signal: 'SIGINT' }],
  ])('%j', async (key, command) => {
    const { handle, screen } = await app();
    await press(screen, key);
    expect(handle.sent).toEqual([command]);
  });

  it('sends nothing for UI-only keys, unknown keys and 9', async () => {
    const { handle, screen } = await app();
    await press(screen, '\t', 'v', 'v', '?', '?', 'x', '9', '\u001B[D');
    expect(handle.sent).toEqual([]);
  });

  it('acts on the key at once, not on the next snapshot tick', async () => {
    const { handle, screen } = await app('live', new FakeHandle(), 60_000);
    const before = handle.snapshotCalls;
    screen.stdin.write('+');
    expect(handle.sent).toEqual([{ type: 'adjustLoad', direction: 1 }]);
    screen.stdin.write(' ');
    expect(await waitFor(() => screen.lines()[0]!.includes('PAUSED'), 1000)).toBe(true);
    expect(handle.snapshotCalls).toBe(before); // no extra sampling per key
  });

  it('toggles pause from what is shown: a second space resumes before the run confirms', async () => {
    const { handle, screen } = await app();
    await press(screen, ' ', ' ');
    expect(handle.sent).toEqual([
      { type: 'pause', paused: true },
      { type: 'pause', paused: false },
    ]);
    expect(screen.lines()[0]).not.toContain('PAUSED');
  });

  it('resumes when the run is paused', async () => {
    const { handle, screen } = await app('live', new FakeHandle(snapshot({ paused: true })));
    expect(await waitFor(() => screen.lines()[0]!.includes('PAUSED'))).toBe(true);
    await press(screen, ' ');
    expect(handle.sent).toEqual([{ type: 'pause', paused: false }]);
  });

  it('p follows the policy order from the current one and wraps around', () => {
    const order = ['round-robin', 'shortest-queue', 'weighted', 'small-only', 'large-only', 'mirror', 'slo', 'cascade'];
    expect(order.map(nextPolicy)).toEqual([...order.slice(1), 'round-robin']);
    const ctx = { mode: 'live' as const, ui: initialUiState, policy: 'cascade', paused: false, now: 0 };
    expect(interpretKey('p', {}, ctx).commands).toEqual([{ type: 'setPolicy', policy: 'round-robin' }]);
  });

  it('Tab cycles the histogram metric e2e -> ttft -> tpot -> itl -> queue -> e2e', async () => {
    const { screen } = await app();
    const legend = () => screen.lastFrame().match(/▸ (E2E|TTFT|TPOT|ITL|queue) /)?.[1];
    expect(legend()).toBe('E2E');
    for (const expected of ['TTFT', 'TPOT', 'ITL', 'queue', 'E2E']) {
      screen.stdin.write('\t');
      expect(await waitFor(() => legend() === expected)).toBe(true);
    }
    expect(screen.lastFrame()).toContain('Tab metric:e2e');
  });

  it('v shows the slowest requests and ? the help; pressing again closes them', async () => {
    const { screen } = await app();
    const shows = (text: string) => screen.lastFrame().includes(text);
    await press(screen, 'v');
    expect(await waitFor(() => shows('slowest requests'))).toBe(true);
    await press(screen, 'v');
    expect(await waitFor(() => !shows('slowest requests'))).toBe(true);
    await press(screen, '?');
    expect(await waitFor(() => shows('keys (live run)'))).toBe(true);
    await press(screen, '?');
    expect(await waitFor(() => !shows('keys (live run)'))).toBe(true);
  });

  it('s shows the saved log path from the save event, as a transient message', async () => {
    const handle = new FakeHandle();
    let now = 0;
    mounted = renderAt(<App handle={handle} mode="live" title="default" tickMs={20} now={() => now} />, { columns: 120, rows: 40 });
    await waitFor(() => mounted!.lastFrame().includes('duet'));
    await tick(20);
    const status = () => mounted!.lines().at(-1) ?? '';
    await press(mounted, 's');
    expect(await waitFor(() => status().includes('saving the session log…'))).toBe(true);
    handle.emit({ type: 'save', t: 1, path: 'logs/2026-11-26T02-40-00.jsonl' });
    expect(await waitFor(() => status().includes('session log saved: logs/2026-11-26T02-40-00.jsonl'))).toBe(true);
    await tick(100);
    expect(status()).toContain('session log saved'); // still there while its clock has not moved
    now = 10_000; // past the message's lifetime: the next tick clears it
    expect(await waitFor(() => !status().includes('saved'))).toBe(true);
    expect(status()).toContain('p policy');
  });

  it('s keeps the path when the run answers the save synchronously (as the controller does)', async () => {
    const handle = new FakeHandle();
    const send = handle.send.bind(handle);
    handle.send = (command) => {
      send(command);
      if (command.type === 'save') handle.emit({ type: 'save', t: 1, path: '/tmp/sync.jsonl' });
    };
    mounted = renderAt(<App handle={handle} mode="live" title="default" tickMs={50} />, { columns: 120, rows: 40 });
    await waitFor(() => mounted!.lastFrame().includes('duet'));
    await tick(20);
    await press(mounted, 's');
    expect(await waitFor(() => mounted!.lines().at(-1)!.includes('session log saved: /tmp/sync.jsonl'))).toBe(true);
    await tick(200);
    expect(mounted.lines().at(-1)).toContain('session log saved: /tmp/sync.jsonl');
  });

  it('shows policy switches from the run as they happen', async () => {
    const { handle, screen } = await app();
    handle.emit({ type: 'policy-switch', t: 1, from: 'round-robin', to: 'cascade', segment: 3 });
    expect(await waitFor(() => screen.lines().at(-1)!.includes('policy round-robin → cascade (segment 3)'))).toBe(true);
  });

  it('lists a failed request from the run events in the ticker on the next tick', async () => {
    const handle = new FakeHandle();
    mounted = renderAt(<App handle={handle} mode="live" title="default" tickMs={20} />, { columns: 120, rows: 40 });
    await waitFor(() => mounted!.lastFrame().includes('duet'));
    handle.emit({ type: 'query-failed', t: 5, record: record(130, { model: 'B', question: 'Why did it fail?', error: 'model "large", request 130:B: worker exited', tDone: 4000 }) });
    expect(await waitFor(() => /! B .*Why did it fail\?.*→ error: worker exited/.test(mounted!.lastFrame()))).toBe(true);
  });

  it('q shows stopping… until the run finishes, and ignores other keys meanwhile', async () => {
    const { handle, screen } = await app();
    await press(screen, 'q', 'p', '+');
    expect(handle.sent).toEqual([{ type: 'quit' }]);
    expect(await waitFor(() => screen.lines()[0]!.includes('stopping…'))).toBe(true);
    expect(screen.lines().at(-1)).toContain('stopping…');
    await press(screen, '\u0003');
    expect(handle.sent).toEqual([{ type: 'quit' }, { type: 'quit', signal: 'SIGINT' }]);
  });

  it('samples the snapshot on its tick and shows the new data', async () => {
    const handle = new FakeHandle();
    mounted = renderAt(<App handle={handle} mode="live" title="default" tickMs={20} />, { columns: 120, rows: 40 });
    await waitFor(() => mounted!.lastFrame().includes('duet'));
    await tick(20);
    handle.current = snapshot({ policy: 'cascade', done: 321 });
    expect(await waitFor(() => mounted!.lines()[1]!.includes('policy cascade'))).toBe(true);
    expect(mounted.lines()[1]).toContain('321/500 done');
  });
});

describe('replay keys', () => {
  it.each([
    [' ', { type: 'pause', paused: true }],
    ['\u001B[D', { type: 'seek', deltaMs: -10_000 }],
    ['\u001B[C', { type: 'seek', deltaMs: 10_000 }],
    ['+', { type: 'adjustLoad', direction: 1 }],
    ['-', { type: 'adjustLoad', direction: -1 }],
    ['q', { type: 'quit' }],
  ])('%j', async (key, command) => {
    const { handle, screen } = await app('replay');
    await press(screen, key);
    expect(handle.sent).toEqual([command]);
  });

  it('ignores the live-only keys', async () => {
    const { handle, screen } = await app('replay');
    await press(screen, 'p', '1', 's');
    expect(handle.sent).toEqual([]);
    expect(screen.lastFrame()).toContain('←/→ seek');
    await press(screen, ']'); // in a replay [ and ] seek by segment instead of setting the weight
    expect(handle.sent).toEqual([{ type: 'seekSegment', direction: 1 }]);
  });
});
