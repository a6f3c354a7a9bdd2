/**
 * Reasoning written into the answer itself: a model served without a reasoning parser (vLLM
 * without --reasoning-parser, llama.cpp with --reasoning-format none, MindIE by default)
 * streams `<think>...</think>` as content. The part inside is reasoning, not the answer:
 * scored as the answer it would turn every reply into garbage, and a reply cut inside it
 * has no answer at all.
 */

export interface TimedPiece {
  text: string;
  t: number;
  tokens: number;
}

export interface InlineThinking {
  answer: string;
  reasoning: string;
  /** False when the text ends inside the thinking block (still reasoning). */
  closed: boolean;
  /** Arrival of the first piece holding answer text after the block. */
  tFirstAnswer?: number;
  /** Tokens of the pieces that ended at or before the block's close. */
  reasoningTokens: number;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Splits a resolved answer that begins with a thinking block; undefined when it does not.
 * `cumulative`: each piece is the whole text so far (else pieces add up to it).
 */
export function splitInlineThinking(text: string, pieces: readonly TimedPiece[], cumulative: boolean): InlineThinking | undefined {
  const start = text.search(/\S/);
  if (start < 0 || !text.startsWith(OPEN, start)) return undefined;
  const close = text.indexOf(CLOSE, start + OPEN.length);
  const closed = close >= 0;
  const reasoningEnd = closed ? close + CLOSE.length : text.length;
  const reasoning = text.slice(start + OPEN.length, closed ? close : text.length).trim();
  const answer = closed ? text.slice(reasoningEnd).trimStart() : '';
  let reasoningTokens = 0;
  let tFirstAnswer: number | undefined;
  let end = 0;
  for (const piece of pieces) {
    const begin = cumulative ? Math.min(end, piece.text.length) : end;
    end = cumulative ? piece.text.length : end + piece.text.length;
    if (end <= reasoningEnd) {
      reasoningTokens += piece.tokens;
      continue;
    }
    // The piece reaches past the block: it is the first answer piece if it holds answer text.
    if (tFirstAnswer === undefined && text.slice(Math.max(begin, reasoningEnd), end).trim() !== '') tFirstAnswer = piece.t;
    if (begin < reasoningEnd) reasoningTokens += piece.tokens; // the piece that closed the block
  }
  return { answer, reasoning, closed, reasoningTokens, ...(tFirstAnswer !== undefined ? { tFirstAnswer } : {}) };
}
