/** The soak's own checks must catch what they claim to: a lost, duplicated or unissued record. */
import { describe, expect, it } from 'vitest';
import { chaosEngine } from '../../scripts/lib/chaos-engine.js';
import { Ledger } from '../../scripts/lib/ledger.js';
import { parseSoakArgs } from '../../scripts/lib/soak-args.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import type { RunEvent } from '../../source/core/events.js';
import type { QueryRecord } from '../../source/core/query.js';
import { createRandom } from '../../source/core/scheduler/random.js';

const none = { slow: 0, drop: 0, http500: 0, hang: 0 };
const engines = () => ({ A: chaosEngine(new FakeEngine(), none, createRandom(1), () => {}, new Set()), B: chaosEngine(new FakeEngine(), none, createRandom(2), () => {}, new Set()) });
const issued = (seq: number, targets: Array<'A' | 'B'>): RunEvent => ({ type: 'query-issued', t: seq, seq, questionId: `q${seq}`, targets, policy: 'p', segment: 0, warmup: false });
const done = (seq: number, model: 'A' | 'B', extra: Partial<QueryRecord> = {}): RunEvent => ({ type: 'query-finished', t: seq, record: { id: `${seq}:${model}`, seq, model, ...extra } as QueryRecord });

describe('soak ledger', () => {
  it('balances issued targets, mirror pairs and cascade escalations', () => {
    const ledger = new Ledger(engines());
    for (const e of [issued(0, ['A']), issued(1, ['A', 'B']), done(0, 'A', { escalated: true }), done(1, 'B'), done(1, 'A'), done(0, 'B', { escalated: true })]) ledger.push(e);
    expect({ issued: ledger.issued, records: ledger.records, missing: ledger.missing, problems: ledger.problems }).toEqual({ issued: 2, records: 4, missing: [], problems: [] });
  });

  it('reports a missing record, a duplicate and a record never issued', () => {
    const ledger = new Ledger(engines());
    for (const e of [issued(0, ['A', 'B']), done(0, 'A'), done(0, 'A'), done(7, 'B')]) ledger.push(e);
    expect(ledger.missing).toEqual(['0:B']);
    expect(ledger.problems).toEqual(['0:A: a record that was not expected (duplicate or never issued)', '7:B: a record that was not expected (duplicate or never issued)']);
  });

  it('a killed engine fails what is in flight and refuses new work until it is back', async () => {
    const injected: string[] = [];
    const engine = chaosEngine(new FakeEngine({ prefillMs: 200 }), none, createRandom(1), (k) => injected.push(k), new Set());
    await engine.start();
    const request = (id: string) => ({ id, messages: [], promptIds: [1], promptText: '', maxNewTokens: 4 });
    const inFlight = engine.generate(request('1:A'));
    engine.kill(100);
    await expect(inFlight).rejects.toThrow('server exited');
    await expect(engine.generate(request('2:A'))).rejects.toThrow('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 120));
    await expect(engine.generate(request('3:A'))).resolves.toMatchObject({ finishReason: 'stop' });
    expect(injected).toEqual(['kill', 'kill']);
    expect([...engine.pending.keys()]).toEqual(['1:A', '2:A']);
  });

  it('flags: --minutes and --seed, mistakes are one line', () => {
    expect(parseSoakArgs(['--', '--minutes', '2.5', '--seed', '9'])).toMatchObject({ minutes: 2.5, seed: 9, serve: false });
    expect(() => parseSoakArgs(['--minutes', 'x'])).toThrow('--minutes: expected a number >= 0.05, got "x"');
    expect(() => parseSoakArgs(['--hours', '1'])).toThrow(/^unknown flag --hours/);
  });
});
