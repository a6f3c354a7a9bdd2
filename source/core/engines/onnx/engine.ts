import { Worker } from 'node:worker_threads';
import { fromOtherTimeOrigin, systemClock, type Clock } from '../../clock.js';
import { UserError } from '../../errors.js';
import type { ModelProfile } from '../../profile/schema.js';
import type { Engine, EngineInfo, EngineLoad, GenerateRequest, GenerateResult, TokenEvent } from '../engine.js';
import { paramsFromConfig, readModelFiles } from './model-files.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

export interface OnnxEngineOptions {
  clock?: Clock;
  /** Intra-op threads for this model (overrides the profile's intraOpThreads). */
  threads?: number;
  /** Worker entry module (tests swap in a misbehaving worker). */
  workerEntry?: URL;
}

interface InFlight {
  resolve: (result: GenerateResult) => void;
  reject: (error: Error) => void;
  onToken?: (token: TokenEvent) => void;
  unlisten: () => void;
}

const BOOT_URL = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY_URL = new URL('./worker.ts', import.meta.url);
const STOP_GRACE_MS = 5_000;

/**
 * The in-process ONNX engine: the model lives in its own worker thread (see worker.ts), so
 * two models decode at once while the main thread stays responsive. The folder is checked
 * here, at once; `start()` loads the session in the worker.
 */
export async function createOnnxEngine(model: ModelProfile, options: OnnxEngineOptions = {}): Promise<Engine> {
  if (!model.path) throw new UserError(`model "${model.label}": the onnx backend needs a path (a model folder)`);
  const files = readModelFiles(model.path);
  const params = paramsFromConfig(files.config);
  const info: EngineInfo = {
    label: model.label,
    backend: 'onnx',
    model: files.name,
    device: model.executionProviders[0] ?? 'cpu',
    ...(params ? { params } : {}),
    ...(files.variant ? { dtype: files.variant } : {}),
    weightBytes: files.weightBytes,
    synthetic: files.config.duet?.synthetic === true,
    path: files.dir,
  };
  const threads = options.threads ?? model.intraOpThreads;
  const init: WorkerInit = {
    path: model.path,
    label: model.label,
    executionProviders: model.executionProviders.length ? model.executionProviders : ['cpu'],
    ...(threads ? { intraOpThreads: threads } : {}),
    maxBatch: model.batching.maxBatch,
    maxWaitMs: model.batching.maxWaitMs,
  };
  return new OnnxEngine(info, init, options.clock ?? systemClock, options.workerEntry ?? ENTRY_URL);
}

class OnnxEngine implements Engine {
  private worker: Worker | undefined;
  private starting: Promise<void> | undefined;
  private workerOrigin = performance.timeOrigin;
  /** clock.now() minus performance.now(): the run clock may be shifted. */
  private clockOffset = 0;
  private lastLoad: EngineLoad = { queued: 0, running: 0, batchSize: 0 };
  private readonly inFlight = new Map<string, InFlight>();
  private stopping = false;

  constructor(
    private currentInfo: EngineInfo,
    private readonly init: WorkerInit,
    private readonly clock: Clock,
    private readonly entry: URL,
  ) {}

  info(): EngineInfo {
    return this.currentInfo;
  }

  load(): EngineLoad {
    return this.lastLoad;
  }

  start(): Promise<void> {
    this.starting ??= this.spawn();
    return this.starting;
  }

  private spawn(): Promise<void> {
    this.clockOffset = this.clock.now() - performance.now();
    const worker = new Worker(BOOT_URL, { workerData: { entry: this.entry.href, init: this.init } });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          ready = true;
          this.workerOrigin = message.timeOrigin;
          this.currentInfo = { ...message.info, label: this.currentInfo.label };
          resolve();
        } else if (message.type === 'load-failed') {
          reject(message.userError ? new UserError(message.message) : new Error(`model "${this.init.label}": ${message.message}`));
        } else {
          this.onMessage(message);
        }
      });
      worker.on('error', (error) => {
        const crash = new Error(`the ONNX worker of model "${this.init.label}" crashed: ${error.message}`);
        this.worker = undefined; // later requests fail at once instead of waiting for 'exit'
        if (!ready) reject(crash);
        this.failAll(crash);
      });
      worker.on('exit', (code) => {
        this.worker = undefined;
        const crash = new Error(`the ONNX worker of model "${this.init.label}" exited (code ${code}) with requests in flight`);
        if (!ready) reject(new Error(`the ONNX worker of model "${this.init.label}" exited (code ${code}) before the model loaded`));
        if (this.stopping) this.abortAll();
        else this.failAll(crash);
      });
    });
  }

  generate(request: GenerateRequest, onToken?: (token: TokenEvent) => void): Promise<GenerateResult> {
    const worker = this.worker;
    if (!worker || this.stopping) return Promise.reject(new Error(`model "${this.init.label}" is not running (call start() first)`));
    if (this.inFlight.has(request.id)) return Promise.reject(new Error(`request ${request.id} is already in flight`));
    if (request.signal?.aborted) return Promise.resolve(abortedResult(request, this.clock.now()));
    return new Promise((resolve, reject) => {
      const onAbort = () => this.post({ type: 'abort', id: request.id });
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const unlisten = () => request.signal?.removeEventListener('abort', onAbort);
      this.inFlight.set(request.id, { resolve, reject, unlisten, ...(onToken ? { onToken } : {}) });
      this.post({ type: 'generate', request: { id: request.id, promptIds: request.promptIds, maxNewTokens: request.maxNewTokens } });
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.stopping = true;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.post({ type: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private toClock(t: number): number {
    return fromOtherTimeOrigin(t, this.workerOrigin) + this.clockOffset;
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'token':
        this.inFlight.get(message.id)?.onToken?.({ tokenId: message.tokenId, text: message.text, t: this.toClock(message.t) });
        break;
      case 'done': {
        this.lastLoad = message.load;
        const result = message.result;
        this.settle(message.id)?.resolve({
          ...result,
          tStart: this.toClock(result.tStart),
          ...(result.tFirstToken !== undefined ? { tFirstToken: this.toClock(result.tFirstToken) } : {}),
          tEnd: this.toClock(result.tEnd),
          tokenTimes: result.tokenTimes.map((t) => this.toClock(t)),
        });
        break;
      }
      case 'failed':
        this.lastLoad = message.load;
        this.settle(message.id)?.reject(new Error(`model "${this.init.label}", request ${message.id}: ${message.message}`));
        break;
      case 'load':
        this.lastLoad = message.load;
        break;
      case 'stopped':
        break;
    }
  }

  private settle(id: string): InFlight | undefined {
    const entry = this.inFlight.get(id);
    this.inFlight.delete(id);
    entry?.unlisten();
    return entry;
  }

  private failAll(error: Error): void {
    for (const id of [...this.inFlight.keys()]) this.settle(id)?.reject(error);
    this.lastLoad = { queued: 0, running: 0, batchSize: 0 };
  }

  private abortAll(): void {
    const t = this.clock.now();
    for (const id of [...this.inFlight.keys()]) this.settle(id)?.resolve({ ...abortedResult(undefined, t) });
    this.lastLoad = { queued: 0, running: 0, batchSize: 0 };
  }
}

function abortedResult(request: GenerateRequest | undefined, t: number): GenerateResult {
  return {
    text: '',
    tokenIds: [],
    promptTokens: request?.promptIds.length ?? 0,
    outputTokens: 0,
    tStart: t,
    tEnd: t,
    tokenTimes: [],
    finishReason: 'abort',
  };
}
