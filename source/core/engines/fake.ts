import { systemClock, type Clock } from '../clock.js';
import { createRandom, type Random } from '../scheduler/random.js';
import { delay, systemTimers, type Timers } from '../scheduler/timers.js';
import type { Engine, EngineInfo, EngineLoad, GenerateRequest, GenerateResult, TokenEvent } from './engine.js';

/**
 * A real, programmable Engine for tests, benchmarks and soak runs: it queues requests
 * behind `capacity` compute slots, "prefills" for prefillMs, then emits one token every
 * perTokenMs, all on injectable clock and timers. Failures and hangs can be injected.
 */
export interface FakeEngineOptions {
  info?: Partial<EngineInfo>;
  clock?: Clock;
  timers?: Timers;
  random?: Random;
  /** Time from leaving the queue to the first token (ms), fixed or per request. */
  prefillMs?: number | ((request: GenerateRequest) => number);
  /** Time between consecutive output tokens (ms). */
  perTokenMs?: number | ((request: GenerateRequest) => number);
  /** The answer text; split into tokens at word boundaries. Default: "fake answer". */
  output?: (request: GenerateRequest, random: Random) => string;
  /** Mean log-prob reported with each result (for the cascade policy). */
  meanLogProb?: number | ((request: GenerateRequest, text: string) => number | undefined);
  /** Requests computed at once (a batch); the rest wait in the engine's queue. Default 1. */
  capacity?: number;
  /** Share (0-1) of requests that fail after prefill. */
  failureRate?: number;
  /** Share (0-1) of requests that never finish (until aborted). */
  hangRate?: number;
  /** Time start() takes. */
  startMs?: number;
}

export class FakeEngine implements Engine {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly random: Random;
  private readonly capacity: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private started = false;
  /** Most requests seen running at once (for capacity tests). */
  maxRunning = 0;

  constructor(private readonly options: FakeEngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? createRandom(1);
    this.capacity = options.capacity ?? 1;
  }

  info(): EngineInfo {
    return { label: 'fake', backend: 'onnx', model: 'fake', device: 'fake', synthetic: true, ...this.options.info };
  }

  async start(): Promise<void> {
    if (this.options.startMs) await delay(this.timers, this.options.startMs);
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  load(): EngineLoad {
    return { queued: this.waiting.length, running: this.running, batchSize: this.running };
  }

  async generate(request: GenerateRequest, onToken?: (token: TokenEvent) => void): Promise<GenerateResult> {
    if (!this.started) throw new Error('fake engine: generate() before start()');
    const fails = this.roll(this.options.failureRate);
    const hangs = !fails && this.roll(this.options.hangRate);
    const text = (this.options.output ?? (() => 'fake answer'))(request, this.random);
    if (!(await this.acquire(request.signal))) return abortedInQueue(request, this.clock.now());
    try {
      return await this.compute(request, text, { fails, hangs }, onToken);
    } finally {
      this.release();
    }
  }

  private async compute(
    request: GenerateRequest,
    text: string,
    fate: { fails: boolean; hangs: boolean },
    onToken?: (token: TokenEvent) => void,
  ): Promise<GenerateResult> {
    const signal = request.signal;
    const tStart = this.clock.now();
    const pieces = splitTokens(text).slice(0, Math.max(1, request.maxNewTokens));
    const result = (finishReason: GenerateResult['finishReason'], tokenTimes: number[]): GenerateResult => ({
      text: pieces.slice(0, tokenTimes.length).join(''),
      tokenIds: tokenTimes.map((_, i) => i),
      promptTokens: request.promptIds.length,
      outputTokens: tokenTimes.length,
      tStart,
      tFirstToken: tokenTimes[0],
      tEnd: tokenTimes.at(-1) ?? this.clock.now(),
      tokenTimes,
      meanLogProb: this.logProb(request, text),
      finishReason,
      batchSize: this.running,
    });
    if (signal?.aborted) return result('abort', []);
    if (fate.hangs) {
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      return result('abort', []);
    }
    await delay(this.timers, resolve(this.options.prefillMs, request, 0), signal);
    if (signal?.aborted) return result('abort', []);
    if (fate.fails) throw new Error('fake engine: injected failure');
    const tokenTimes: number[] = [];
    const perTokenMs = resolve(this.options.perTokenMs, request, 0);
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) await delay(this.timers, perTokenMs, signal);
      if (signal?.aborted) return result('abort', tokenTimes);
      const t = this.clock.now();
      tokenTimes.push(t);
      onToken?.({ tokenId: i, text: pieces[i]!, t });
    }
    const truncated = splitTokens(text).length > pieces.length;
    return result(truncated ? 'length' : 'stop', tokenTimes);
  }

  private logProb(request: GenerateRequest, text: string): number | undefined {
    const option = this.options.meanLogProb;
    return typeof option === 'function' ? option(request, text) : option;
  }

  private roll(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random.next() < rate;
  }

  /** Takes a compute slot, waiting in line for one; false when aborted while waiting. */
  private acquire(signal?: AbortSignal): Promise<boolean> {
    if (this.running < this.capacity) {
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      return Promise.resolve(true);
    }
    return new Promise((ready) => {
      const go = () => {
        signal?.removeEventListener('abort', leave);
        this.running++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        ready(true);
      };
      const leave = () => {
        const at = this.waiting.indexOf(go);
        if (at >= 0) this.waiting.splice(at, 1);
        ready(false);
      };
      this.waiting.push(go);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }

  private release(): void {
    this.running--;
    const next = this.waiting.shift();
    if (next) next();
  }
}

function abortedInQueue(request: GenerateRequest, t: number): GenerateResult {
  return { text: '', tokenIds: [], promptTokens: request.promptIds.length, outputTokens: 0, tStart: t, tEnd: t, tokenTimes: [], finishReason: 'abort' };
}

function resolve(option: number | ((request: GenerateRequest) => number) | undefined, request: GenerateRequest, fallback: number): number {
  if (option === undefined) return fallback;
  return typeof option === 'function' ? option(request) : option;
}

/** Word-level tokens that keep their leading space; an empty answer is one empty (end-of-turn) token. */
export function splitTokens(text: string): string[] {
  const pieces = text.match(/\s*\S+/g) ?? [];
  if (pieces.length === 0) return [''];
  pieces[pieces.length - 1] += /\s+$/.exec(text)?.[0] ?? '';
  return pieces;
}

/**
 * An output function that answers with the gold answer with probability `accuracy`
 * (else "a wrong guess"), seeded: the request must let `goldFor`
 * find the gold answers (e.g. by question text in the prompt).
 */
export function goldEchoOutput(goldFor: (request: GenerateRequest) => string[] | undefined, accuracy: number): (request: GenerateRequest, random: Random) => string {
  return (request, random) => {
    const gold = goldFor(request) ?? [];
    return random.next() < accuracy ? (gold[0] ?? '') : 'a wrong guess';
  };
}
