/**
 * Turns a model's raw reply into a SQuAD prediction: the first non-empty line, trimmed,
 * without surrounding quotes or a trailing period; replies that decline to answer become ''
 * (the right prediction for an unanswerable question).
 */
const NO_ANSWER = /^(?:unanswerable|not answerable|no answer|none|n\/a|(?:(?:this|it|the question) )?(?:cannot|can't|can not) be answered|the (?:question|answer) (?:is )?(?:unanswerable|cannot be answered|is not (?:in|given in|found in) the context)|(?:the )?context does not (?:contain|say|mention)\b.*|i (?:do not|don't) know)$/i;
const QUOTES: [string, string][] = [['"', '"'], ["'", "'"], ['“', '”'], ['‘', '’'], ['«', '»'], ['`', '`']];

export function extractAnswer(raw: string): string {
  const line = raw.split(/\r?\n/).find((l) => l.trim().length > 0);
  if (line === undefined) return '';
  let answer = line.trim().replace(/^(?:answer|a)\s*:\s*/i, '');
  for (let changed = true; changed; ) {
    changed = false;
    for (const [open, close] of QUOTES) {
      if (answer.length >= 2 && answer.startsWith(open) && answer.endsWith(close)) {
        answer = answer.slice(open.length, -close.length).trim();
        changed = true;
      }
    }
    // A sentence-final period is not part of a span; keep "U.S." and "etc." style abbreviations.
    if (/[^.\s]\.$/.test(answer) && !/(?:^|[\s.])\p{L}\.$/u.test(answer)) {
      answer = answer.slice(0, -1).trimEnd();
      changed = true;
    }
  }
  return NO_ANSWER.test(answer.replace(/[.!]+$/, '')) ? '' : answer;
}
