/**
 * Token counts you can trust: duet prefers the server's usage, but a prompt count that
 * differs from the server's `prompt_tokens` by more than a few tokens means the tokenizer
 * (or chat template) duet uses is not the served model's, so context trimming and any
 * count duet makes itself are off. Said once per model, not once per request.
 */

/** Differences up to this many tokens are template noise (a BOS, a trailing newline). */
export const PROMPT_COUNT_TOLERANCE = 4;

export class PromptCountCheck {
  private readonly warned = new Set<string>();

  /** The warning to emit (once per model), or undefined when the counts agree or it was said already. */
  check(model: string, duetCount: number, serverCount: number | undefined): string | undefined {
    if (serverCount === undefined || this.warned.has(model)) return undefined;
    const difference = serverCount - duetCount;
    if (Math.abs(difference) <= PROMPT_COUNT_TOLERANCE) return undefined;
    this.warned.add(model);
    return (
      `model "${model}": the server counts ${serverCount} prompt tokens where duet counts ${duetCount} ` +
      `(${difference > 0 ? '+' : ''}${difference}): the tokenizer or chat template duet uses is not the served model's; ` +
      `figures use the server's counts`
    );
  }
}
