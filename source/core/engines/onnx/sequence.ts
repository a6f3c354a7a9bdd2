import type { FinishReason, GenerateResult } from '../engine.js';
import type { GreedyPick } from './greedy.js';
import { TextStream, type TokenDecoder } from './text-stream.js';

/** What a caller asks of the in-process engine for one sequence. */
export interface SequenceRequest {
  id: string;
  promptIds: number[];
  maxNewTokens: number;
  /** Keep generating past stop ids until maxNewTokens (benchmarks that need a fixed length). */
  ignoreStop?: boolean;
}

export interface StreamedToken {
  tokenId: number;
  /** Text delta of this token (empty while a multi-byte character is incomplete). */
  text: string;
  t: number;
}

/** A request plus where its tokens and its end go. */
export interface PendingSequence {
  request: SequenceRequest;
  onToken?: (token: StreamedToken) => void;
  onDone: (result: GenerateResult) => void;
  onError: (error: Error) => void;
}

/**
 * The state of one sequence in the running batch. Its cache row holds `realLength` real
 * tokens right-aligned; everything to their left is padding the attention mask hides.
 * `lastToken` is chosen but not yet in the cache: the next decode step feeds it.
 */
export class SequenceState {
  readonly tokens: number[] = [];
  readonly tokenTimes: number[] = [];
  realLength: number;
  lastToken = -1;
  batchSize = 0;
  aborted = false;
  finishReason: FinishReason | undefined;
  private logProbSum = 0;
  private picks = 0;
  private tFirstToken: number | undefined;
  private readonly stream: TextStream;

  constructor(
    readonly pending: PendingSequence,
    private readonly decoder: TokenDecoder,
    private readonly stopIds: ReadonlySet<number>,
    readonly tStart: number,
  ) {
    this.realLength = pending.request.promptIds.length;
    this.stream = new TextStream(decoder);
  }

  get id(): string {
    return this.pending.request.id;
  }

  /** Takes the greedy choice for this sequence; returns true when the sequence is finished. */
  accept(pick: GreedyPick, t: number): boolean {
    this.logProbSum += pick.logProb;
    this.picks++;
    this.tFirstToken ??= t;
    this.lastToken = pick.tokenId;
    const { request } = this.pending;
    if (!request.ignoreStop && this.stopIds.has(pick.tokenId)) {
      this.finishReason = 'stop';
      return true;
    }
    this.tokens.push(pick.tokenId);
    this.tokenTimes.push(t);
    this.pending.onToken?.({ tokenId: pick.tokenId, text: this.stream.push(pick.tokenId), t });
    if (this.tokens.length >= request.maxNewTokens) this.finishReason = 'length';
    return this.finishReason !== undefined;
  }

  /**
   * The result. The mean log-prob covers every greedy choice, the stop token included: an
   * empty answer (immediate end-of-turn) still carries the model's confidence in it.
   */
  result(tEnd: number): GenerateResult {
    return {
      text: this.decoder.decode(this.tokens),
      tokenIds: this.tokens,
      promptTokens: this.pending.request.promptIds.length,
      outputTokens: this.tokens.length,
      tStart: this.tStart,
      ...(this.tFirstToken !== undefined ? { tFirstToken: this.tFirstToken } : {}),
      tEnd,
      tokenTimes: this.tokenTimes,
      ...(this.picks > 0 ? { meanLogProb: this.logProbSum / this.picks } : {}),
      finishReason: this.finishReason ?? (this.aborted ? 'abort' : 'length'),
      batchSize: this.batchSize,
    };
  }
}
