import { describe, expect, it } from 'vitest';
import { answerTokens, normalizeAnswer, pySplit } from '../../../source/core/eval/normalize.js';

describe('normalizeAnswer (official evaluate-v2.0.py semantics)', () => {
  it('lower-cases, strips ASCII punctuation and whole-word articles, collapses spaces', () => {
    expect(normalizeAnswer('The Denver Broncos!')).toBe('denver broncos');
    expect(normalizeAnswer('  an apple a   day ')).toBe('apple day');
    expect(normalizeAnswer('U.S. $1,000 (approx.)')).toBe('us 1000 approx');
    expect(normalizeAnswer('theatre, anthem, and Thea')).toBe('theatre anthem and thea');
  });

  it('removes punctuation before articles, so "the-end" loses its "the"', () => {
    // "the-end" -> "theend" (no article left); "the.end" likewise; "(a)" -> "a" -> removed.
    expect(normalizeAnswer('the-end')).toBe('theend');
    expect(normalizeAnswer('(a) b')).toBe('b');
  });

  it('treats non-ASCII letters and numbers as word characters, like Python\'s Unicode \\b', () => {
    expect(normalizeAnswer('theé')).toBe('theé'); // é continues the word: no article
    expect(normalizeAnswer('a²')).toBe('a²'); // ² is a number (No): still one word
    expect(normalizeAnswer('the日本')).toBe('the日本');
    expect(normalizeAnswer('a\u0301 x')).toBe('\u0301 x'); // a combining mark is not a word character
    expect(normalizeAnswer('a—b')).toBe('—b'); // an em dash is neither punctuation (non-ASCII) nor a word character
    expect(normalizeAnswer('ÉCOLE Straße')).toBe('école straße');
  });

  it('splits on Python\'s whitespace set, not JavaScript\'s', () => {
    expect(normalizeAnswer('x\u00a0y\u3000z')).toBe('x y z');
    expect(normalizeAnswer('x\x1cy\x85z')).toBe('x y z'); // Python whitespace, not JS \s
    expect(normalizeAnswer('x\ufeffy')).toBe('x\ufeffy'); // JS \s, not Python whitespace
    expect(normalizeAnswer('x\u200by')).toBe('x\u200by'); // zero-width space is no whitespace
    expect(pySplit('\t a  b\n')).toEqual(['a', 'b']);
  });

  it('gives no tokens for answers that normalise to nothing', () => {
    expect(answerTokens('')).toEqual([]);
    expect(answerTokens('The.')).toEqual([]);
    expect(answerTokens('a cat, a dog')).toEqual(['cat', 'dog']);
  });
});
