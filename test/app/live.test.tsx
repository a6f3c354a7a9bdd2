import { describe, expect, it } from 'vitest';
import { runLive } from '../../source/app/live.js';
import { FakeHandle } from './fakeHandle.js';
import { FakeStdin, FakeStdout, tick } from './render.js';

function tty(columns = 120, rows = 40) {
  const stdout = new FakeStdout(columns, rows) as FakeStdout & { isTTY: boolean };
  stdout.isTTY = true;
  return stdout;
}

describe('runLive', () => {
  it('renders until the run finishes, then unmounts and returns the outcome', async () => {
    const handle = new FakeHandle();
    const stdout = tty();
    const stdin = new FakeStdin();
    const done = runLive(handle, { mode: 'live', title: 'default', stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream });
    await tick(50);
    expect(stdout.frames.join('')).toContain('duet · default');
    expect(handle.listenerCount).toBe(1);
    stdin.write('q');
    expect(handle.sent).toEqual([{ type: 'quit' }]);
    const outcome = handle.finish('quit');
    await expect(done).resolves.toBe(outcome);
    expect(handle.listenerCount).toBe(0); // unsubscribed on unmount
    const calls = handle.snapshotCalls;
    await tick(600);
    expect(handle.snapshotCalls).toBe(calls); // the tick stopped
  });

  it('samples once a second (1 s tick), not per event', async () => {
    const handle = new FakeHandle();
    const done = runLive(handle, { mode: 'live', title: 'default', stdout: tty() as unknown as NodeJS.WriteStream, stdin: new FakeStdin() as unknown as NodeJS.ReadStream });
    for (let i = 0; i < 100; i++) handle.emit({ type: 'first-token', t: i, id: `${i}:A`, model: 'A' });
    await tick(2100);
    handle.finish('finished');
    await done;
    // One initial sample plus one per 1 s tick over 2.1 s: 3 (a busy machine may fire a tick late: 2).
    expect(handle.snapshotCalls).toBeGreaterThanOrEqual(2);
    expect(handle.snapshotCalls).toBeLessThanOrEqual(4);
  });

  it('renders nothing without a TTY and still returns the outcome', async () => {
    const handle = new FakeHandle();
    const stdout = new FakeStdout(80, 24);
    const done = runLive(handle, { mode: 'live', title: 'default', stdout: stdout as unknown as NodeJS.WriteStream });
    const outcome = handle.finish('finished');
    await expect(done).resolves.toBe(outcome);
    expect(stdout.frames).toEqual([]);
  });
});
