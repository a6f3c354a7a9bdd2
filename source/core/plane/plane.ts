import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { systemClock, type Clock } from '../clock.js';
import type { FromClient, JobResult, PlaneHealth, StreamJob, ToClient, WorkerStart } from './protocol.js';

const BOOT_URL = new URL('../engines/onnx/worker-boot.mjs', import.meta.url);
const ENTRY_URL = new URL('./client-worker.ts', import.meta.url);

export interface MeasuringPlaneOptions {
  /** Client worker threads to start with (default 1). */
  workers?: number;
  /** The most it grows to when its threads get busy (default: one per spare core, 1 to 4). */
  maxWorkers?: number;
  clock?: Clock;
  healthIntervalMs?: number;
}

interface Pending {
  resolve(result: JobResult): void;
  onFirstToken?: (t: number) => void;
  worker: ClientThread;
}

interface ClientThread {
  worker: Worker;
  jobs: number;
  index: number;
}

/** The most client threads by default: every core but the main thread's, 1 to 4. */
export function defaultClientWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** A client thread busier than this for a whole interval means the plane needs another one. */
export const GROW_AT_UTILISATION = 0.6;

/** Whether a health report says the plane should grow (pure, for the test). */
export function shouldGrow(utilisation: number, threads: number, maxThreads: number): boolean {
  return utilisation > GROW_AT_UTILISATION && threads < maxThreads;
}

/**
 * The measuring plane, main-thread side: a pool of client worker threads that own the
 * HTTP connections and stamp every token where its bytes arrive. Engines submit prepared
 * jobs and get finished results back; every OpenAI engine of a run shares one plane
 * (acquire/release count its users: the last release stops the threads).
 */
export class MeasuringPlane {
  private threads: ClientThread[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly healthListeners = new Set<(health: PlaneHealth) => void>();
  private starting?: Promise<void>;
  private growing = false;
  private users = 0;
  private readonly clock: Clock;

  constructor(private readonly options: MeasuringPlaneOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  get workerCount(): number {
    return this.threads.length;
  }

  /** Starts the threads on first use; every acquire needs one release. */
  acquire(): Promise<void> {
    this.users++;
    this.starting ??= this.spawnAll();
    return this.starting;
  }

  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0 || !this.starting) return;
    this.starting = undefined;
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((thread) => stopThread(thread)));
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      const t = this.clock.now();
      pending.resolve({ id, tSent: t, tEnd: t, end: { kind: 'aborted' } });
    }
  }

  /** Sends one job to the least busy thread; resolves with its result (never rejects). */
  submit(job: StreamJob, onFirstToken?: (t: number) => void): Promise<JobResult> {
    const thread = this.leastBusy();
    if (!thread) {
      const t = this.clock.now();
      return Promise.resolve({ id: job.id, tSent: t, tEnd: t, end: { kind: 'transport', message: 'the measuring plane is not running', afterTokens: 0 } });
    }
    if (this.pending.has(job.id)) throw new Error(`request ${job.id} is already in flight`);
    // A thread with work keeps the process alive (until its answers are in); an idle one does not.
    if (thread.jobs++ === 0) thread.worker.ref();
    return new Promise((resolve) => {
      this.pending.set(job.id, { resolve, worker: thread, ...(onFirstToken ? { onFirstToken } : {}) });
      post(thread, { type: 'jobs', jobs: [job] });
    });
  }

  abort(id: string): void {
    const pending = this.pending.get(id);
    if (pending) post(pending.worker, { type: 'abort', id });
  }

  /** The client threads' health, about once a second per thread. */
  onHealth(listener: (health: PlaneHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  private leastBusy(): ClientThread | undefined {
    let best: ClientThread | undefined;
    for (const thread of this.threads) if (!best || thread.jobs < best.jobs) best = thread;
    return best;
  }

  private async spawnAll(): Promise<void> {
    const count = this.options.workers ?? 1;
    const spawned = await Promise.all(Array.from({ length: count }, (_, index) => this.spawn(index)));
    this.threads = spawned;
  }

  /** One more client thread (new requests go to the least busy one). */
  private grow(): void {
    if (this.growing || !this.starting) return;
    this.growing = true;
    const index = Math.max(-1, ...this.threads.map((t) => t.index)) + 1;
    this.spawn(index).then(
      (thread) => {
        this.growing = false;
        if (this.starting) this.threads.push(thread);
        else void stopThread(thread);
      },
      () => (this.growing = false),
    );
  }

  private spawn(index: number): Promise<ClientThread> {
    const start: WorkerStart = {
      index,
      mainTimeOrigin: performance.timeOrigin,
      clockOffset: this.clock.now() - performance.now(),
      healthIntervalMs: this.options.healthIntervalMs ?? 1000,
    };
    const worker = new Worker(BOOT_URL, { workerData: { entry: ENTRY_URL.href, start } });
    // An idle thread must not keep a finished process alive (a run stops them; a script may not).
    worker.unref();
    const thread: ClientThread = { worker, jobs: 0, index };
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromClient) => {
        if (message.type === 'ready') resolve(thread);
        else this.onMessage(thread, message);
      });
      worker.once('error', (error) => {
        reject(error);
        this.failThread(thread, `the measuring plane's client thread crashed: ${error.message}`);
      });
      worker.once('exit', () => this.failThread(thread, 'the measuring plane\'s client thread exited'));
    });
  }

  private onMessage(thread: ClientThread, message: FromClient): void {
    if (message.type === 'batch') {
      for (const first of message.firstTokens) this.pending.get(first.id)?.onFirstToken?.(first.t);
      for (const result of message.results) {
        const pending = this.pending.get(result.id);
        if (!pending) continue;
        this.pending.delete(result.id);
        if (--thread.jobs === 0) thread.worker.unref();
        pending.resolve(result);
      }
    } else if (message.type === 'health') {
      for (const listener of this.healthListeners) listener(message.health);
      if (shouldGrow(message.health.utilisation, this.threads.length, this.options.maxWorkers ?? defaultClientWorkers())) this.grow();
    }
  }

  private failThread(thread: ClientThread, message: string): void {
    this.threads = this.threads.filter((t) => t !== thread);
    for (const [id, pending] of this.pending) {
      if (pending.worker !== thread) continue;
      this.pending.delete(id);
      const t = this.clock.now();
      pending.resolve({ id, tSent: t, tEnd: t, end: { kind: 'transport', message, afterTokens: 0 } });
    }
  }
}

function post(thread: ClientThread, message: ToClient): void {
  thread.worker.postMessage(message);
}

function stopThread(thread: ClientThread): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void thread.worker.terminate().then(() => resolve()), 2000);
    thread.worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    post(thread, { type: 'stop' });
  });
}

let shared: MeasuringPlane | undefined;
/** The process's plane, shared by every OpenAI engine that is not given one. */
export function sharedPlane(): MeasuringPlane {
  shared ??= new MeasuringPlane();
  return shared;
}
