import { describe, expect, it } from 'vitest';
import { CapacitySearch, GridPoints, type SearchOptions, type Verdict } from '../../../source/core/sweep/search.js';
import { probeQuestionsFor } from '../../../source/core/sweep/probe.js';

/** Runs a search against a known threshold: loads at or below `capacity` pass. */
function searchAgainst(options: SearchOptions, verdictAt: (load: number) => Verdict): { loads: number[]; result: ReturnType<CapacitySearch['result']> } {
  const search = new CapacitySearch(options);
  const loads: number[] = [];
  for (let load = search.next(); load !== undefined; load = search.next()) {
    loads.push(load);
    search.record(load, verdictAt(load));
  }
  return { loads, result: search.result() };
}

const rate: SearchOptions = { mode: 'rate', start: 1, min: 0.1, max: 100, tolerance: 0.1, maxProbes: 20 };
const concurrency: SearchOptions = { mode: 'concurrency', start: 1, min: 1, max: 256, tolerance: 0, maxProbes: 20 };

describe('CapacitySearch', () => {
  it('concurrency: doubles to the first failure, then bisects to adjacent integers', () => {
    const { loads, result } = searchAgainst(concurrency, (c) => (c <= 8 ? 'pass' : 'fail'));
    // 1, 2, 4, 8 pass; 16 fails; then 12, 10, 9 fail: capacity 8, first failure 9.
    expect(loads).toEqual([1, 2, 4, 8, 16, 12, 10, 9]);
    expect(result).toEqual({ low: 8, high: 9, unresolved: [], end: 'bracketed' });
  });

  it('rate: geometric bisection until high / low <= 1.1', () => {
    const { loads, result } = searchAgainst(rate, (r) => (r <= 5 ? 'pass' : 'fail'));
    // 1, 2, 4 pass, 8 fails; sqrt(32) = 5.66 fails; sqrt(4 * 5.66) = 4.76 passes; sqrt(4.76 * 5.66) = 5.19 fails; 5.19 / 4.76 = 1.09.
    expect(loads).toEqual([1, 2, 4, 8, 5.66, 4.76, 5.19]);
    expect(result).toEqual({ low: 4.76, high: 5.19, unresolved: [], end: 'bracketed' });
  });

  it('halves when the first load fails, and says so when even the minimum fails', () => {
    expect(searchAgainst(rate, (r) => (r <= 0.3 ? 'pass' : 'fail')).loads.slice(0, 3)).toEqual([1, 0.5, 0.25]);
    const { loads, result } = searchAgainst({ ...rate, min: 0.25 }, () => 'fail');
    expect(loads).toEqual([1, 0.5, 0.25]);
    expect(result).toEqual({ high: 0.25, unresolved: [], end: 'below-min' });
  });

  it('stops at the maximum when everything passes', () => {
    const { loads, result } = searchAgainst({ ...concurrency, max: 6 }, () => 'pass');
    expect(loads).toEqual([1, 2, 4, 6]);
    expect(result).toEqual({ low: 6, unresolved: [], end: 'above-max' });
  });

  it('an unresolved probe is neither pass nor fail: the search brackets it and stops there, reported, not guessed', () => {
    const { loads, result } = searchAgainst(concurrency, (c) => (c < 4 ? 'pass' : c === 4 ? 'unresolved' : 'fail'));
    // 4 is unresolved: doubling goes on to 8 (a fail); [2, 8) holds 4, so no bisecting across it.
    expect(loads).toEqual([1, 2, 4, 8]);
    expect(result).toEqual({ low: 2, high: 8, unresolved: [4], end: 'unresolved' });
  });

  it('a first probe unresolved: up to a failure, then down below it to a pass', () => {
    const { loads, result } = searchAgainst(rate, (r) => (r < 1 ? 'pass' : r === 1 ? 'unresolved' : 'fail'));
    expect(loads).toEqual([1, 2, 0.5]);
    expect(result).toEqual({ low: 0.5, high: 2, unresolved: [1], end: 'unresolved' });
  });

  it('an unresolved probe outside the final bracket does not stop the bisection', () => {
    // Noise: 2 unresolved, yet 4 passed; the capacity lies between 5 and 6.
    const { loads, result } = searchAgainst(concurrency, (c) => (c === 2 ? 'unresolved' : c <= 5 ? 'pass' : 'fail'));
    expect(loads).toEqual([1, 2, 4, 8, 6, 5]);
    expect(result).toEqual({ low: 5, high: 6, unresolved: [2], end: 'bracketed' });
  });

  it('a probe limit leaves a wider bracket, labelled as such', () => {
    const { loads, result } = searchAgainst({ ...concurrency, maxProbes: 6 }, (c) => (c <= 8 ? 'pass' : 'fail'));
    expect(loads).toEqual([1, 2, 4, 8, 16, 12]);
    expect(result).toEqual({ low: 8, high: 12, unresolved: [], end: 'probe-limit' });
  });
});

describe('GridPoints', () => {
  it('probes each point once and reads the capacity off them', () => {
    const grid = new GridPoints([1, 2, 4, 8]);
    const verdicts: Record<number, Verdict> = { 1: 'pass', 2: 'pass', 4: 'unresolved', 8: 'fail' };
    for (let load = grid.next(); load !== undefined; load = grid.next()) grid.record(load, verdicts[load]!);
    expect(grid.result()).toEqual({ low: 2, high: 8, unresolved: [4], end: 'grid' });
  });
});

describe('probe size', () => {
  it('is the smallest n at which a probe with so many late answers can still pass', () => {
    // No miss: n >= 1.96^2 a / (1 - a) = 34.6, 73.0, 380.3.
    expect([0.9, 0.95, 0.99].map((a) => probeQuestionsFor(a))).toEqual([35, 73, 381]);
    // One miss: the Wilson lower bound of 52/53 is 0.9006 >= 0.9, of 51/52 0.8988 < 0.9 (checked by hand).
    expect([0.9, 0.95, 0.99].map((a) => probeQuestionsFor(a, 1))).toEqual([53, 110, 563]);
  });
});
