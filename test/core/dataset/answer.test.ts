import { describe, expect, it } from 'vitest';
import { extractAnswer } from '../../../source/core/dataset/answer.js';

describe('extractAnswer', () => {
  it('takes the first non-empty line, trimmed', () => {
    expect(extractAnswer('\n\n  Denver Broncos  \nBecause the context says so.')).toBe('Denver Broncos');
    expect(extractAnswer('')).toBe('');
    expect(extractAnswer('  \n \n')).toBe('');
  });

  it('strips surrounding quotes (also nested and typographic) and an "Answer:" label', () => {
    expect(extractAnswer('"Santa Clara, California"')).toBe('Santa Clara, California');
    expect(extractAnswer('“the Normans”')).toBe('the Normans');
    expect(extractAnswer('Answer: "\'1066\'"')).toBe('1066');
    expect(extractAnswer('"a" and "b"')).toBe('a" and "b'); // outer quotes only
  });

  it('drops a sentence-final period but keeps abbreviations', () => {
    expect(extractAnswer('Paris.')).toBe('Paris');
    expect(extractAnswer('"Paris."')).toBe('Paris');
    expect(extractAnswer('the U.S.')).toBe('the U.S.');
    expect(extractAnswer('3.5')).toBe('3.5');
  });

  it('turns refusals into the empty prediction', () => {
    for (const reply of ['unanswerable', 'Unanswerable.', '"unanswerable"', 'No answer', 'N/A', 'This cannot be answered', 'cannot be answered', "I don't know."]) {
      expect(extractAnswer(reply), reply).toBe('');
    }
    expect(extractAnswer('The context does not mention it.')).toBe('');
    expect(extractAnswer('unanswerable questions')).toBe('unanswerable questions');
  });
});
