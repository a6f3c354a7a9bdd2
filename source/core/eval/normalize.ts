/**
 * SQuAD answer normalisation, matching the official evaluate-v2.0.py under Python 3:
 * lower-case, drop ASCII punctuation, drop the whole words a/an/the, collapse whitespace.
 * Python's `\b` and `str.split()` are Unicode-aware, so neither JS `\b` (ASCII-only)
 * nor JS `\s` (which differs from Python's whitespace set) can be used directly.
 */

/** Python's `string.punctuation`: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ */
const PUNCTUATION = /[!-/:-@[-`{-~]/g;

/** Python's `\w` for str patterns: alphanumeric (letters and numbers) or underscore. */
const WORD_CHAR = String.raw`[\p{L}\p{N}_]`;
const ARTICLES = new RegExp(String.raw`(?<!${WORD_CHAR})(?:a|an|the)(?!${WORD_CHAR})`, 'gu');

/** Python's `str.isspace()` set (Zs, plus bidi classes WS/B/S), which `str.split()` splits on. */
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** Python `str.split()` with no arguments: split on whitespace runs, drop empty pieces. */
export function pySplit(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((piece) => piece.length > 0);
}

export function normalizeAnswer(s: string): string {
  const lowered = s.toLowerCase();
  const noPunctuation = lowered.replace(PUNCTUATION, '');
  const noArticles = noPunctuation.replace(ARTICLES, ' ');
  return pySplit(noArticles).join(' ');
}

/** The official get_tokens: the normalised answer split into words. */
export function answerTokens(s: string): string[] {
  if (s.length === 0) return [];
  return pySplit(normalizeAnswer(s));
}
