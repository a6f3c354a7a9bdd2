import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../source/core/clock.js';
import type { RunEvent } from '../../../source/core/events.js';
import { ServerStateRelay } from '../../../source/core/run/served-engine.js';

describe('ServerStateRelay', () => {
  it('holds server states seen before the run starts, replays them in order at connect, then forwards', () => {
    const clock = new ManualClock(5);
    const relay = new ServerStateRelay(clock);
    relay.report('A', 'starting', 'starting (1 s)');
    clock.set(9);
    relay.report('A', 'ready');
    const events: RunEvent[] = [];
    clock.set(20);
    relay.connect((e) => events.push(e));
    clock.set(30);
    relay.report('B', 'exited', 'exited with code 1');
    // Held events are stamped no earlier than the connect time: nothing precedes run-start.
    expect(events).toEqual([
      { type: 'server', t: 20, model: 'A', state: 'starting', detail: 'starting (1 s)' },
      { type: 'server', t: 20, model: 'A', state: 'ready' },
      { type: 'server', t: 30, model: 'B', state: 'exited', detail: 'exited with code 1' },
    ]);
  });
});
