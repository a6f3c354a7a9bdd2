/** Something that turns token ids into text (the model's tokenizer). */
export interface TokenDecoder {
  decode(ids: number[]): string;
}

/**
 * Streams text token by token without breaking multi-byte characters: each push decodes the
 * whole prefix and emits what is new, holding back a trailing U+FFFD (an incomplete UTF-8
 * sequence) until the next token completes it.
 */
export class TextStream {
  private readonly ids: number[] = [];
  private emitted = 0;
  private text = '';

  constructor(private readonly decoder: TokenDecoder) {}

  push(id: number): string {
    this.ids.push(id);
    const decoded = this.decoder.decode(this.ids);
    this.text = decoded;
    if (decoded.endsWith('\uFFFD')) return '';
    const delta = decoded.slice(this.emitted);
    this.emitted = decoded.length;
    return delta;
  }

  /** The full decoded text so far (including any held-back tail). */
  get fullText(): string {
    return this.text;
  }
}
