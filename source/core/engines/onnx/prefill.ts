import { gatherRows, type KvCache } from './kv-cache.js';
import type { ForwardOutput, OnnxModel } from './model.js';
import type { SequenceState } from './sequence.js';

/** Any token id works as padding: its positions are masked out. */
export const PAD_ID = 0n;

/**
 * Newcomers' prompts being prefilled together, left-padded to the longest, a chunk of
 * columns at a time, in their own KV cache. Between chunks the running batch decodes a
 * step, so a long prompt costs the decoding rows a bounded delay per step instead of
 * its whole prefill (chunked prefill, as vLLM schedules it with a token budget).
 * The model's causal mask makes chunk by chunk exactly the same computation as one pass.
 */
export class PrefillGroup {
  /** Columns of the padded prompts already in `cache`. */
  private done = 0;
  private cache: KvCache;
  private inputIds: BigInt64Array;
  private attentionMask: BigInt64Array;
  private positionIds: BigInt64Array;
  readonly steps: number;

  constructor(
    private readonly model: OnnxModel,
    public rows: SequenceState[],
  ) {
    this.steps = Math.max(...rows.map((s) => s.realLength));
    const batch = rows.length;
    const steps = this.steps;
    this.inputIds = new BigInt64Array(batch * steps).fill(PAD_ID);
    this.attentionMask = new BigInt64Array(batch * steps);
    // Padding positions get 1 (as Hugging Face does); real tokens count from 0.
    this.positionIds = new BigInt64Array(batch * steps).fill(1n);
    rows.forEach((seq, b) => {
      const ids = seq.pending.request.promptIds;
      const pad = steps - ids.length;
      for (let i = 0; i < ids.length; i++) {
        this.inputIds[b * steps + pad + i] = BigInt(ids[i]!);
        this.attentionMask[b * steps + pad + i] = 1n;
        this.positionIds[b * steps + pad + i] = BigInt(i);
      }
    });
    this.cache = model.emptyCache(batch);
  }

  get remaining(): number {
    return this.steps - this.done;
  }

  /**
   * Runs the next `columns` columns (all that remain when fewer). Returns the last chunk's
   * output (the first token's picks and the group's full cache) when the prompts are done.
   */
  async advance(columns: number): Promise<ForwardOutput | undefined> {
    const batch = this.rows.length;
    const chunk = Math.max(1, Math.min(columns, this.remaining));
    const end = this.done + chunk;
    const slice = (source: BigInt64Array, from: number, to: number): BigInt64Array => {
      const out = new BigInt64Array(batch * (to - from));
      for (let b = 0; b < batch; b++) out.set(source.subarray(b * this.steps + from, b * this.steps + to), b * (to - from));
      return out;
    };
    const out = await this.model.forward({
      batch,
      steps: chunk,
      inputIds: slice(this.inputIds, this.done, end),
      attentionMask: slice(this.attentionMask, 0, end),
      positionIds: slice(this.positionIds, this.done, end),
      cache: this.cache,
    });
    this.cache = out.cache;
    this.done = end;
    return this.remaining === 0 ? out : undefined;
  }

  /** Drops rows (aborted mid-prefill): their inputs and cache rows go, the others' stay in place. */
  drop(leaving: ReadonlySet<SequenceState>): void {
    const keep = this.rows.map((seq, row) => ({ seq, row })).filter(({ seq }) => !leaving.has(seq));
    const pick = (source: BigInt64Array): BigInt64Array => {
      const out = new BigInt64Array(keep.length * this.steps);
      keep.forEach(({ row }, b) => out.set(source.subarray(row * this.steps, (row + 1) * this.steps), b * this.steps));
      return out;
    };
    this.inputIds = pick(this.inputIds);
    this.attentionMask = pick(this.attentionMask);
    this.positionIds = pick(this.positionIds);
    this.rows = keep.map(({ seq }) => seq);
    if (keep.length > 0) {
      this.cache = this.done === 0 ? this.model.emptyCache(keep.length) : gatherRows(keep.map(({ row }) => ({ cache: this.cache, row, from: 0 })), this.done);
    }
  }
}
