import { describe, expect, it } from 'vitest';
import { clock, joules, loadLabel, ms, num, sparkline, truncate, watts, wrapLines } from '../../source/app/format.js';

describe('format', () => {
  it('never turns a missing figure into zero', () => {
    for (const f of [ms, watts, joules, (v?: number) => num(v)]) expect(f(undefined)).toBe('–');
    expect(watts(0)).toBe('0.0 W'); // a real zero stays a zero
  });

  it('formats durations, loads, clocks', () => {
    expect([ms(4.25), ms(850), ms(1240), ms(12_500), ms(125_000)]).toEqual(['4.3ms', '850ms', '1.24s', '12.5s', '2m05s']);
    expect(clock(3_723_000)).toBe('1:02:03');
    expect(loadLabel({ mode: 'open', rate: 2.5 })).toBe('rate 2.50 q/s');
    expect(joules(1234)).toBe('1.23 kJ');
  });

  it('truncates with an ellipsis and keeps inner spacing', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('a  b\nc', 10)).toBe('a  b c');
  });

  it('draws sparklines right-aligned, scaled to the maximum', () => {
    expect(sparkline([0, 4, 8], 5)).toBe('  ▁▅█');
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toBe('▆▇█');
    expect(sparkline([], 3)).toBe('   ');
  });

  it('wraps at spaces into at most n lines', () => {
    expect(wrapLines('power n/a — npu-smi not found on PATH', 20, 2)).toEqual(['power n/a — npu-smi', 'not found on PATH']);
    expect(wrapLines('one two three four five six', 10, 2)).toEqual(['one two', 'three fou…']);
  });
});

describe('terminal columns', () => {
  it('truncates and pads by columns: wide characters take two, a cut never splits a character', async () => {
    const { columns, padEnd, padStart, truncate } = await import('../../source/app/format.js');
    expect(columns('abc')).toBe(3);
    expect(columns('北京大学')).toBe(8);
    expect(columns('e\u0301')).toBe(1); // e + combining acute
    expect(truncate('北京大学的历史', 7)).toBe('北京大…'); // 6 columns + the mark
    expect(columns(truncate('北京大学的历史', 7))).toBe(7);
    expect(truncate('北京大学的历史', 6)).toBe('北京…'); // a wide character that would straddle the edge is left out
    expect(columns(truncate('北京大学的历史', 6))).toBe(5);
    expect(padEnd('北京', 6)).toBe('北京  ');
    expect(padStart('北京', 6)).toBe('  北京');
    expect(columns(padEnd('北京大学的历史', 6))).toBe(6);
    expect(truncate('plain ascii text', 8)).toBe('plain a…');
  });
});
