import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../source/core/errors.js';
import { parseSlo, parseSweepFlags } from '../../../source/core/sweep/flags.js';

describe('duet sweep flags', () => {
  it('--slo reads metric=duration pairs; itl is the per-request mean inter-token time (TPOT)', () => {
    expect(parseSlo('ttft=500ms,e2e=5s,itl=50ms')).toEqual({ ttftMs: 500, e2eMs: 5000, tpotMs: 50 });
    expect(parseSlo(' e2e = 1m30s ')).toEqual({ e2eMs: 90_000 });
  });

  it.each([
    ['p99=5s', '--slo: expected metric=duration pairs like ttft=500ms,e2e=5s (metrics: ttft, tpot or itl, e2e), got "p99=5s"'],
    ['e2e=5', '--slo e2e: expected a duration like 500ms, 1s, 2m or 1m30s, got "5"'],
    ['e2e', '--slo: expected metric=duration pairs like ttft=500ms,e2e=5s (metrics: ttft, tpot or itl, e2e), got "e2e"'],
    ['', '--slo: expected at least one metric=duration pair, e.g. e2e=5s'],
  ])('--slo %j is a usage error', (text, message) => {
    expect(() => parseSlo(text)).toThrow(new UsageError(message));
  });

  it('defaults: every policy, rate mode from 2 q/s, 90% attainment with 35 questions a probe', () => {
    const flags = parseSweepFlags({});
    expect(flags).toMatchObject({ mode: 'rate', attainment: 0.9, start: 2, min: 0.25, max: 1000, probeQuestions: 35, maxProbes: 6 });
    expect(flags.policies).toHaveLength(8);
    expect(flags.slo).toBeUndefined();
  });

  it('reads the sweep flags and passes the run ones through', () => {
    const flags = parseSweepFlags({ policies: 'cascade,large-only', attainment: '0.99', mode: 'concurrency', grid: '1,2,4,8', seed: '7', log: false });
    expect(flags).toMatchObject({ policies: ['cascade', 'large-only'], attainment: 0.99, mode: 'concurrency', grid: [1, 2, 4, 8], probeQuestions: 381, start: 1 });
    expect(flags.run).toMatchObject({ log: false, overrides: { seed: 7 } });
  });

  it.each([
    [{ policies: 'cascade,fast' }, '--policies: expected names from round-robin, shortest-queue, weighted, small-only, large-only, mirror, slo, cascade, got "fast"'],
    [{ attainment: '99' }, '--attainment: expected a fraction between 0 and 1 (exclusive), e.g. 0.99, got "99"'],
    [{ attainment: '1' }, '--attainment: expected a fraction between 0 and 1 (exclusive), e.g. 0.99, got "1"'],
    [{ mode: 'open' }, '--mode: expected rate or concurrency, got "open"'],
    [{ mode: 'concurrency', grid: '1,2.5' }, '--grid: expected whole numbers >= 1 (concurrency), got "2.5"'],
    [{ grid: '1,,2' }, '--grid: expected positive numbers (questions/s), got ""'],
    [{ start: '8', max: '4' }, '--start: 8 is above --max 4'],
    [{ start: '2', min: '4' }, '--min: 4 is above --start 2'],
    [{ probeQuestions: '0' }, '--probe-questions: expected a whole number >= 1, got "0"'],
    [{ resume: 'a.jsonl', from: 'b.jsonl' }, '--resume and --from: choose one (continue a sweep, or only report on it)'],
  ])('%j is a usage error', (raw, message) => {
    expect(() => parseSweepFlags(raw)).toThrow(new UsageError(message));
  });
});
