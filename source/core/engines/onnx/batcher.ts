import type { EngineLoad, GenerateResult } from '../engine.js';
import type { OnnxModel } from './model.js';
import { RunningBatch } from './running-batch.js';
import type { PendingSequence, SequenceRequest, StreamedToken } from './sequence.js';

export interface BatcherOptions {
  maxBatch: number;
  /** How long an idle batcher waits for more requests before starting a batch. */
  maxWaitMs: number;
  now?: () => number;
  /**
   * Prompt tokens prefilled between two decode steps while rows are decoding (a newcomer's
   * prompt is split into chunks of about this many tokens). Default 128. With no row
   * decoding, a prompt is prefilled in one pass: there is nobody to keep waiting.
   */
  prefillChunkTokens?: number;
  /** Called whenever queued/running/batch size change (the worker reports it to the main thread). */
  onLoad?: (load: EngineLoad) => void;
}

export const DEFAULT_PREFILL_CHUNK_TOKENS = 128;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A per-model queue in front of a RunningBatch. When idle it waits up to `maxWaitMs` for up to
 * `maxBatch` requests; while decoding, waiting requests are prefilled a chunk per decode step
 * (`prefillChunkTokens`) and join when their prompts are done. Between steps it yields to the
 * event loop so that new requests and aborts get in.
 */
export class ContinuousBatcher {
  private readonly queue: Array<PendingSequence & { tEnqueued: number }> = [];
  private readonly batch: RunningBatch;
  private readonly now: () => number;
  private looping = false;
  private closed = false;
  private wake: (() => void) | undefined;

  private readonly options: BatcherOptions;

  constructor(model: OnnxModel, options: BatcherOptions) {
    // Graphs whose attention assumes right padding would mix up left-padded rows: one at a time.
    this.options = model.oneRowAtATime ? { ...options, maxBatch: 1 } : options;
    this.now = options.now ?? (() => performance.now());
    this.batch = new RunningBatch(model, this.now);
  }

  load(): EngineLoad {
    return { queued: this.queue.length, running: this.batch.size, batchSize: this.batch.size };
  }

  submit(request: SequenceRequest, onToken?: (token: StreamedToken) => void): Promise<GenerateResult> {
    if (this.closed) return Promise.reject(new Error('the batcher is closed'));
    return new Promise((onDone, onError) => {
      this.queue.push({ request, ...(onToken ? { onToken } : {}), onDone, onError, tEnqueued: this.now() });
      this.reportLoad();
      this.wake?.();
      if (!this.looping) void this.loop();
    });
  }

  /** Removes a request from the queue or the batch; it resolves with finishReason 'abort'. Returns false when unknown. */
  abort(id: string): boolean {
    const index = this.queue.findIndex((p) => p.request.id === id);
    if (index >= 0) {
      const [pending] = this.queue.splice(index, 1);
      const t = this.now();
      pending!.onDone(abortedBeforeStart(pending!.request, t));
      this.reportLoad();
      return true;
    }
    if (!this.batch.markAborted(id)) return false;
    if (!this.looping) this.batch.removeAborted();
    return true;
  }

  /** Aborts everything (queued and running) and stops the loop. */
  close(): void {
    this.closed = true;
    const t = this.now();
    for (const pending of this.queue.splice(0)) pending.onDone(abortedBeforeStart(pending.request, t));
    for (const id of this.batch.ids()) this.batch.markAborted(id);
    if (!this.looping) this.batch.removeAborted();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      while (!this.closed && (this.queue.length > 0 || this.batch.size > 0)) {
        if (this.batch.size === 0) await this.waitToFill();
        const room = this.options.maxBatch - this.batch.size;
        const joiners = this.batch.prefilling > 0 ? [] : this.queue.splice(0, Math.max(0, room));
        try {
          if (joiners.length > 0) this.batch.startPrefill(joiners);
          if (this.batch.prefilling > 0) {
            const budget = this.batch.decoding > 0 ? (this.options.prefillChunkTokens ?? DEFAULT_PREFILL_CHUNK_TOKENS) : Number.POSITIVE_INFINITY;
            await this.batch.advancePrefill(budget);
          }
          this.reportLoad();
          this.batch.removeAborted();
          await this.batch.step();
        } catch (error) {
          const failure = new Error(`onnxruntime failed: ${(error as Error).message}`);
          this.batch.failAll(failure);
          for (const joiner of joiners) joiner.onError(failure); // a settled promise ignores this
        }
        this.reportLoad();
        await nextTurn();
        this.batch.removeAborted();
      }
      this.batch.removeAborted();
    } finally {
      this.looping = false;
      this.reportLoad();
    }
  }

  /** Waits until maxBatch requests wait or the oldest has waited maxWaitMs. */
  private async waitToFill(): Promise<void> {
    while (!this.closed && this.queue.length > 0 && this.queue.length < this.options.maxBatch) {
      const remaining = this.queue[0]!.tEnqueued + this.options.maxWaitMs - this.now();
      if (remaining <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, remaining);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  private reportLoad(): void {
    this.options.onLoad?.(this.load());
  }
}

function abortedBeforeStart(request: SequenceRequest, t: number): GenerateResult {
  return {
    text: '',
    tokenIds: [],
    promptTokens: request.promptIds.length,
    outputTokens: 0,
    tStart: t,
    tEnd: t,
    tokenTimes: [],
    finishReason: 'abort',
  };
}
