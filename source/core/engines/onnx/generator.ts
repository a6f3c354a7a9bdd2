import type { EngineInfo, GenerateResult } from '../engine.js';
import { ContinuousBatcher, type BatcherOptions } from './batcher.js';
import { OnnxModel, type LoadOptions } from './model.js';
import { RunningBatch } from './running-batch.js';
import type { StreamedToken } from './sequence.js';

export interface GenerateOptions {
  /** Default 128. */
  maxNewTokens?: number;
  /** Run to maxNewTokens even past stop ids (benchmarks). */
  ignoreStop?: boolean;
  now?: () => number;
}

/**
 * The in-thread generator, for tests and benchmarks (the engine runs the same code inside a
 * worker). `generateBatch` is static batching: all prompts prefilled together, decoded until
 * the last one ends; `batcher()` gives the continuous batcher.
 */
export class OnnxGenerator {
  private constructor(readonly model: OnnxModel) {}

  static async load(dir: string, options: LoadOptions = {}): Promise<OnnxGenerator> {
    return new OnnxGenerator(await OnnxModel.load(dir, options));
  }

  info(): EngineInfo {
    return this.model.info;
  }

  async generate(promptIds: number[], options: GenerateOptions & { onToken?: (token: StreamedToken) => void } = {}): Promise<GenerateResult> {
    const { onToken, ...rest } = options;
    const [result] = await this.generateBatch([promptIds], { ...rest, ...(onToken ? { onToken: (_index: number, token: StreamedToken) => onToken(token) } : {}) });
    return result!;
  }

  async generateBatch(
    prompts: number[][],
    options: GenerateOptions & { onToken?: (index: number, token: StreamedToken) => void } = {},
  ): Promise<GenerateResult[]> {
    if (prompts.length > 1 && this.model.oneRowAtATime) {
      throw new Error(`${this.model.files.onnxPath}: its attention assumes right padding (GroupQueryAttention); batches are left-padded, so generate one prompt at a time`);
    }
    const batch = new RunningBatch(this.model, options.now);
    const results: GenerateResult[] = new Array(prompts.length);
    let failure: Error | undefined;
    await batch.admit(
      prompts.map((promptIds, index) => ({
        request: { id: String(index), promptIds, maxNewTokens: options.maxNewTokens ?? 128, ...(options.ignoreStop ? { ignoreStop: true } : {}) },
        ...(options.onToken ? { onToken: (token: StreamedToken) => options.onToken!(index, token) } : {}),
        onDone: (result) => (results[index] = result),
        onError: (error) => (failure ??= error),
      })),
    );
    while (batch.size > 0) await batch.step();
    if (failure) throw failure;
    return results;
  }

  /** A fresh running batch, to drive step by step (tests of joining mid-decode). */
  runningBatch(now?: () => number): RunningBatch {
    return new RunningBatch(this.model, now);
  }

  batcher(options: BatcherOptions): ContinuousBatcher {
    return new ContinuousBatcher(this.model, options);
  }

  async release(): Promise<void> {
    await this.model.release();
  }
}
