/**
 * Joins the text pieces of a stream. Most servers send increments; MindIE with
 * `fullTextEnabled` sends the whole text so far in every delta, which concatenated would
 * score garbage. In 'auto' mode the stream is taken as cumulative only when every piece
 * strictly extends the one before and the first has some substance: increments that
 * happen to do so ("ha", "haha") are not real token streams.
 */
export function resolveDeltas(pieces: readonly string[], cumulative: boolean | 'auto'): string {
  if (!deltasAreCumulative(pieces, cumulative)) return pieces.join('');
  let text = '';
  for (const piece of pieces) text = piece.startsWith(text) ? piece : text + piece;
  return text;
}

/** Whether the pieces are to be read as cumulative: as configured, or detected in 'auto'. */
export function deltasAreCumulative(pieces: readonly string[], cumulative: boolean | 'auto'): boolean {
  return cumulative === true || (cumulative === 'auto' && looksCumulative(pieces));
}

export function looksCumulative(pieces: readonly string[]): boolean {
  if (pieces.length < 2 || pieces[0]!.trim().length < 2) return false;
  for (let i = 1; i < pieces.length; i++) {
    const previous = pieces[i - 1]!;
    const piece = pieces[i]!;
    if (piece.length <= previous.length || !piece.startsWith(previous)) return false;
  }
  return true;
}
