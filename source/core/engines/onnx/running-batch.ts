import { gatherRows, type KvCache } from './kv-cache.js';
import { PrefillGroup } from './prefill.js';
import type { OnnxModel } from './model.js';
import { SequenceState, type PendingSequence } from './sequence.js';

/**
 * The sequences decoding together and their shared KV cache (continuous batching).
 * `admit` prefills newcomers (left-padded) and merges their cache into the batch, or
 * `startPrefill` + `advancePrefill` do it a chunk at a time between decode steps; `step`
 * decodes one token for every row. Finished and aborted rows leave at once, and the
 * cache is rebuilt right-aligned with the columns every row masks trimmed away.
 */
export class RunningBatch {
  private rows: SequenceState[] = [];
  private cache: KvCache;
  private prefill: PrefillGroup | undefined;
  private readonly stopIds: ReadonlySet<number>;

  constructor(
    private readonly model: OnnxModel,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.cache = model.emptyCache(0);
    this.stopIds = new Set(model.stopIds);
  }

  /** Rows decoding plus rows prefilling. */
  get size(): number {
    return this.rows.length + this.prefilling;
  }

  /** Rows decoding (the batch a decode step runs). */
  get decoding(): number {
    return this.rows.length;
  }

  /** Columns of the shared cache (for tests: trimming keeps it at the longest row). */
  get cacheLength(): number {
    return this.cache.length;
  }

  ids(): string[] {
    return [...this.rows, ...(this.prefill?.rows ?? [])].map((row) => row.id);
  }

  /** Prefills `pendings` together in one pass and merges them into the batch; each gets its first token. */
  async admit(pendings: PendingSequence[]): Promise<void> {
    if (this.startPrefill(pendings)) await this.advancePrefill(Number.POSITIVE_INFINITY);
  }

  /** Rows whose prompt is still being prefilled (they count in `size`). */
  get prefilling(): number {
    return this.prefill?.rows.length ?? 0;
  }

  /**
   * Starts prefilling `pendings` as one group (one group at a time); invalid requests fail at
   * once. Returns false when none is left to prefill.
   */
  startPrefill(pendings: PendingSequence[]): boolean {
    if (this.prefill) throw new Error('startPrefill: a prefill is already in progress');
    const tStart = this.now();
    const joiners: SequenceState[] = [];
    for (const pending of pendings) {
      const problem = this.invalid(pending);
      if (problem) pending.onError(new Error(`request ${pending.request.id}: ${problem}`));
      else joiners.push(new SequenceState(pending, this.model.decoder, this.stopIds, tStart));
    }
    if (joiners.length === 0) return false;
    joiners.forEach((seq) => (seq.batchSize = Math.max(seq.batchSize, joiners.length)));
    this.prefill = new PrefillGroup(this.model, joiners);
    return true;
  }

  /**
   * Runs the next chunk of the prefill: about `tokenBudget` tokens over the group's rows
   * (at least one column). When the prompts are done, each row gets its first token and
   * the group joins the decoding rows.
   */
  async advancePrefill(tokenBudget: number): Promise<void> {
    const group = this.prefill;
    if (!group) return;
    const columns = Math.max(1, Math.floor(tokenBudget / group.rows.length));
    let out;
    try {
      out = await group.advance(columns);
    } catch (error) {
      this.prefill = undefined;
      for (const seq of group.rows) seq.pending.onError(error as Error);
      throw error;
    }
    if (!out) return;
    this.prefill = undefined;
    const joiners = group.rows;
    const t = this.now();
    const finished = new Set<SequenceState>();
    joiners.forEach((seq, b) => {
      if (seq.accept(out.picks[b]!, t)) finished.add(seq);
    });
    const sources = [
      ...this.rows.map((seq, row) => ({ seq, cache: this.cache, row })),
      ...joiners.map((seq, row) => ({ seq, cache: out.cache, row })),
    ];
    if (this.rows.length === 0 && finished.size === 0) {
      // Nothing to merge, and the longest prompt has no padding to trim: keep the outputs as they are.
      this.cache = out.cache;
      this.rows = joiners;
    } else {
      this.rebuild(sources.filter((s) => !finished.has(s.seq)));
    }
    this.finish(finished, t);
  }

  /** Decodes one token for every row. */
  async step(): Promise<void> {
    const batch = this.rows.length;
    if (batch === 0) return;
    const past = this.cache.length;
    const total = past + 1;
    const inputIds = new BigInt64Array(batch);
    const attentionMask = new BigInt64Array(batch * total);
    const positionIds = new BigInt64Array(batch);
    this.rows.forEach((seq, b) => {
      inputIds[b] = BigInt(seq.lastToken);
      positionIds[b] = BigInt(seq.realLength);
      attentionMask.fill(1n, b * total + (past - seq.realLength), (b + 1) * total);
      seq.batchSize = Math.max(seq.batchSize, batch);
    });
    const out = await this.model.forward({ batch, steps: 1, inputIds, attentionMask, positionIds, cache: this.cache });
    const t = this.now();
    this.cache = out.cache;
    const finished = new Set<SequenceState>();
    this.rows.forEach((seq, b) => {
      seq.realLength++;
      if (seq.accept(out.picks[b]!, t)) finished.add(seq);
    });
    if (finished.size > 0) this.rebuild(this.sourcesExcept(finished));
    this.finish(finished, t);
  }

  /** Marks a row for removal; it leaves at `removeAborted` (between steps). */
  markAborted(id: string): boolean {
    const seq = [...this.rows, ...(this.prefill?.rows ?? [])].find((row) => row.id === id);
    if (seq) seq.aborted = true;
    return seq !== undefined;
  }

  removeAborted(): void {
    const group = this.prefill;
    const abortedPrefills = new Set(group?.rows.filter((row) => row.aborted));
    if (group && abortedPrefills.size > 0) {
      group.drop(abortedPrefills);
      if (group.rows.length === 0) this.prefill = undefined;
      abortedPrefills.forEach((seq) => (seq.finishReason = 'abort'));
      this.finish(abortedPrefills, this.now());
    }
    const aborted = new Set(this.rows.filter((row) => row.aborted));
    if (aborted.size === 0) return;
    aborted.forEach((seq) => (seq.finishReason = 'abort'));
    this.rebuild(this.sourcesExcept(aborted));
    this.finish(aborted, this.now());
  }

  /** Fails every row (the session threw): the batch starts empty again. */
  failAll(error: Error): void {
    const rows = [...this.rows, ...(this.prefill?.rows ?? [])];
    this.rows = [];
    this.prefill = undefined;
    this.cache = this.model.emptyCache(0);
    for (const seq of rows) seq.pending.onError(error);
  }

  private sourcesExcept(leaving: Set<SequenceState>) {
    return this.rows.map((seq, row) => ({ seq, cache: this.cache, row })).filter((s) => !leaving.has(s.seq));
  }

  /** New cache holding `sources` right-aligned at the longest row's length (trims shared padding). */
  private rebuild(sources: Array<{ seq: SequenceState; cache: KvCache; row: number }>): void {
    this.rows = sources.map((s) => s.seq);
    if (sources.length === 0) {
      this.cache = this.model.emptyCache(0);
      return;
    }
    const length = Math.max(...sources.map((s) => s.seq.realLength));
    this.cache = gatherRows(
      sources.map(({ seq, cache, row }) => ({ cache, row, from: cache.length - seq.realLength })),
      length,
    );
  }

  private finish(done: Set<SequenceState>, t: number): void {
    for (const seq of done) seq.pending.onDone(seq.result(t));
  }

  private invalid({ request }: PendingSequence): string | undefined {
    if (request.promptIds.length === 0) return 'empty prompt';
    const bad = request.promptIds.find((id) => !Number.isInteger(id) || id < 0 || id >= this.model.vocab);
    if (bad !== undefined) return `token id ${bad} is outside the model's vocabulary (0..${this.model.vocab - 1})`;
    if (!(request.maxNewTokens >= 1)) return `maxNewTokens must be at least 1 (got ${request.maxNewTokens})`;
    return undefined;
  }
}
