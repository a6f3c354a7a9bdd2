/** Something that turns token ids into text (the model's tokenizer). */
export interface TokenDecoder {
  decode(ids: number[]): string;
}

/**
 * Streams text token by token in constant time per token: it decodes only a short window
 * (the tokens since the last emitted text, plus the ones before them for context, since
 * some decoders drop a leading space at the start of a sequence) and emits what the newest
 * tokens added. A window ending in U+FFFD (an incomplete UTF-8 character) is held back until
 * a later token completes it. Decoding the whole prefix each time would cost O(n^2).
 */
export class TextStream {
  private readonly ids: number[] = [];
  /** Window start: tokens before it are settled. */
  private prefixOffset = 0;
  /** Tokens before this one have been emitted. */
  private readOffset = 0;

  constructor(private readonly decoder: TokenDecoder) {}

  push(id: number): string {
    this.ids.push(id);
    const prefixText = this.decoder.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const newText = this.decoder.decode(this.ids.slice(this.prefixOffset));
    if (newText.length <= prefixText.length || newText.endsWith('\uFFFD')) return '';
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    return newText.slice(prefixText.length);
  }
}
