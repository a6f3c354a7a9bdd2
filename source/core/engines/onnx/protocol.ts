import type { EngineInfo, EngineLoad, GenerateResult } from '../engine.js';
import type { SequenceRequest } from './sequence.js';

/** Messages between the engine (main thread) and its model worker. Times are the worker's performance.now(). */

export interface WorkerInit {
  path: string;
  label: string;
  executionProviders: string[];
  intraOpThreads?: number;
  maxBatch: number;
  maxWaitMs: number;
  /** Prompt tokens prefilled per decode step while rows decode (default: the batcher's 128). */
  prefillChunkTokens?: number;
}

export type ToWorker =
  | { type: 'generate'; request: SequenceRequest }
  | { type: 'abort'; id: string }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; info: EngineInfo; timeOrigin: number }
  | { type: 'load-failed'; message: string; userError: boolean }
  | { type: 'token'; id: string; tokenId: number; text: string; t: number }
  | { type: 'done'; id: string; result: GenerateResult; load: EngineLoad }
  | { type: 'failed'; id: string; message: string; load: EngineLoad }
  | { type: 'load'; load: EngineLoad }
  | { type: 'stopped' };
