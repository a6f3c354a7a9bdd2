import type { ReplicaStats } from './replicas/replica.js';

/** The one Engine interface: the ONNX in-process backend and the OpenAI HTTP backend implement it. */

export type ModelSlot = 'A' | 'B';
export type BackendKind = 'onnx' | 'openai';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  /** Unique per (query, model). */
  id: string;
  /** The chat, for backends that apply the template themselves (OpenAI chat API). */
  messages: ChatMessage[];
  /** The same chat rendered with the Llama 3 template and tokenised (for in-process engines). */
  promptIds: number[];
  /** The rendered prompt text (for plain /v1/completions). */
  promptText: string;
  maxNewTokens: number;
  signal?: AbortSignal;
  /** Send no earlier than this (run clock): the open loop's scheduled arrival, honoured by engines that `sendsOnSchedule`. */
  sendAt?: number;
}

export interface TokenEvent {
  /** Token id when the backend knows it. */
  tokenId?: number;
  /** Decoded text of this token (may be empty for partial UTF-8). */
  text: string;
  /** Time on the run clock (main-thread performance.now() scale). */
  t: number;
}

/**
 * Why generation ended: duet's own engines say stop, length, abort or error; an HTTP
 * server's own reason (content_filter, tool_calls, abort, ...) is kept as it sent it.
 */
export type FinishReason = 'stop' | 'length' | 'abort' | 'error' | 'content_filter' | 'tool_calls' | (string & {});

export interface GenerateResult {
  text: string;
  /** When the request left for the engine (stamped on the measuring plane for HTTP engines). */
  tSent?: number;
  tokenIds: number[];
  promptTokens: number;
  outputTokens: number;
  /** When the engine began computing this request (it left the engine's own queue). */
  tStart: number;
  tFirstToken?: number;
  tEnd: number;
  /** Time of every output token (or token-carrying chunk), in order. */
  tokenTimes: number[];
  /** Tokens per tokenTimes entry when a chunk carried several; absent: one each. */
  chunkTokens?: number[];
  /** Mean log-probability of the generated tokens (for the cascade policy), when known. */
  meanLogProb?: number;
  /** First token of the answer itself, after any reasoning (reasoning models served over HTTP). */
  tFirstAnswerToken?: number;
  /** Reasoning tokens among outputTokens, when the model reasoned. */
  reasoningTokens?: number;
  finishReason: FinishReason;
  /** Batch size this request ran in (largest seen), when the engine batches. */
  batchSize?: number;
}

export interface EngineInfo {
  label: string;
  backend: BackendKind;
  /** Model name or folder name. */
  model: string;
  device: string;
  params?: number;
  dtype?: string;
  /** Bytes of weights read per decoded token (for the bandwidth figure). */
  weightBytes?: number;
  /** True for duet's demo models: timings are real, answers are not. */
  synthetic: boolean;
  path?: string;
  url?: string;
}

export interface EngineLoad {
  /** Requests waiting inside the engine (not yet computing). */
  queued: number;
  /** Requests computing now. */
  running: number;
  /** Current batch size (for batching engines). */
  batchSize: number;
  /** Per endpoint, for a model served by several replicas. */
  replicas?: ReplicaStats[];
}

export interface Engine {
  /** True when generate() itself holds a request until its `sendAt` (on a measuring thread); otherwise the caller waits. */
  readonly sendsOnSchedule?: boolean;
  info(): EngineInfo;
  start(): Promise<void>;
  /** Resolves when the request is done; rejects only on failure (finishReason 'error' is an exception). */
  generate(request: GenerateRequest, onToken?: (token: TokenEvent) => void): Promise<GenerateResult>;
  load(): EngineLoad;
  stop(): Promise<void>;
}
