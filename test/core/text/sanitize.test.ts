import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeDeep } from '../../../source/core/text/sanitize.js';

const ESC = '\u001b';
const BEL = '\u0007';

describe('terminalSafe', () => {
  it('removes whole OSC strings (clipboard write, window title), with either terminator or none', () => {
    expect(terminalSafe(`a${ESC}]52;c;SGVsbG8=${BEL}b`)).toBe('ab');
    expect(terminalSafe(`a${ESC}]0;PWNED-TITLE${ESC}\\b`)).toBe('ab');
    expect(terminalSafe(`a${ESC}]0;no terminator at all`)).toBe('a');
    expect(terminalSafe(`a\u009d0;c1 osc\u009cb`)).toBe('ab');
  });

  it('removes CSI sequences (colours, cursor moves, clear screen) and two-byte escapes', () => {
    expect(terminalSafe(`${ESC}[2J${ESC}[1;1H${ESC}[31mred${ESC}[0m`)).toBe('red');
    expect(terminalSafe(`x\u009b31my`)).toBe('xy');
    expect(terminalSafe(`${ESC}cafter reset`)).toBe('after reset');
    expect(terminalSafe(`${ESC}P1$r${ESC}\\dcs`)).toBe('dcs');
  });

  it('drops the remaining C0/C1 controls and bidi overrides; line breaks become spaces unless multi-line', () => {
    expect(terminalSafe('bell\u0007 back\u0008space del\u007f c1\u0085 nul\u0000')).toBe('bell backspace del c1 nul');
    expect(terminalSafe('admin\u202e\u2066txt')).toBe('admintxt');
    expect(terminalSafe('id\nnext\r\nline\tTab')).toBe('id next line Tab');
    expect(terminalSafe('id\nnext\r\nline\tTab', { multiline: true })).toBe('id\nnext\nline\tTab');
    expect(terminalSafe('carriage\rreturn', { multiline: true })).toBe('carriagereturn');
  });

  it('keeps printable Unicode untouched, and returns clean text as is', () => {
    const text = 'Zürich — 東京 😀 naïve café “quoted” ½';
    expect(terminalSafe(text)).toBe(text);
  });
});

describe('terminalSafeDeep', () => {
  it('cleans every string in nested data and shares what needed no change', () => {
    const clean = { n: 1, list: [1, 2, 3], inner: { label: 'ok' } };
    const value = { ...clean, recent: [{ question: `Q${ESC}]0;T${BEL}?`, n: 2 }], warnings: ['w\u009b2J'] };
    const safe = terminalSafeDeep(value);
    expect(safe).toEqual({ ...clean, recent: [{ question: 'Q?', n: 2 }], warnings: ['w'] });
    expect(safe.inner).toBe(value.inner);
    expect(safe.list).toBe(value.list);
    expect(terminalSafeDeep(clean)).toBe(clean);
  });
});
