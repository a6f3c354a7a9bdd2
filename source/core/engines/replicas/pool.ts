import { systemClock, type Clock } from '../../clock.js';
import { errorMessage, UserError } from '../../errors.js';
import type { ModelProfile } from '../../profile/schema.js';
import { systemTimers, type Timers } from '../../scheduler/timers.js';
import type { Engine, EngineInfo, EngineLoad, GenerateRequest, GenerateResult, TokenEvent } from '../engine.js';
import { createOpenAIEngine, type OpenAIEngineOptions } from '../openai/engine.js';
import { backoffDelay, defaultBackoff, isConnectionError, Replica, type BackoffOptions, type ReplicaStats } from './replica.js';

export type { ReplicaStats } from './replica.js';

export interface ReplicaPoolOptions extends OpenAIEngineOptions {
  timers?: Timers;
  backoff?: BackoffOptions;
  /** Builds one replica's engine (default: the OpenAI engine on that endpoint). */
  createEngine?: (model: ModelProfile) => Engine;
  /** A replica was taken out or came back (for a warning line or a log event). */
  onReplicaState?: (url: string, state: 'up' | 'down', detail?: string) => void;
}

/** A model served by several replicas: one Engine, plus what each replica is doing. */
export interface ReplicaPool extends Engine {
  replicaStats(): ReplicaStats[];
}

/** Engines that can tell about their replicas (a pool, or something wrapping one). */
export function hasReplicas(engine: Engine): engine is ReplicaPool {
  return typeof (engine as Partial<ReplicaPool>).replicaStats === 'function';
}

/**
 * One Engine over one OpenAI engine per endpoint. The policy picks the model; the pool
 * picks the replica with the fewest outstanding requests (ties: the one sent fewest).
 * A connection error takes a replica out; a health probe (GET /v1/models, via the
 * engine's start) brings it back, retried with exponential backoff. Requests that were
 * in flight on a replica that died fail as errors: nothing is retried behind the
 * benchmark's back, so every failure is counted.
 */
export function createReplicaPool(model: ModelProfile, options: ReplicaPoolOptions = {}): ReplicaPool {
  const clock: Clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const backoff = options.backoff ?? defaultBackoff;
  const urls = model.endpoints?.length ? model.endpoints : model.url ? [model.url] : [];
  if (urls.length === 0) throw new UserError(`model "${model.label}": backend openai needs a url or endpoints (e.g. http://127.0.0.1:8001/v1)`);
  const build = options.createEngine ?? ((one: ModelProfile) => createOpenAIEngine(one, options));
  const replicas = urls.map((url) => {
    const { endpoints: _endpoints, ...rest } = model;
    return new Replica(url, build({ ...rest, url }));
  });
  let stopped = false;

  function takeOut(replica: Replica, reason: string): void {
    if (replica.state === 'down' || stopped) return;
    replica.state = 'down';
    replica.downCount++;
    replica.failedProbes = 0;
    options.onReplicaState?.(replica.url, 'down', reason);
    scheduleProbe(replica);
  }

  function scheduleProbe(replica: Replica): void {
    if (stopped) return;
    replica.probeTimer = timers.setTimeout(() => void probe(replica), backoffDelay(replica.failedProbes, backoff));
  }

  async function probe(replica: Replica): Promise<void> {
    replica.probeTimer = undefined;
    if (stopped) return;
    replica.probes++;
    try {
      await replica.engine.start();
    } catch (error) {
      replica.failedProbes++;
      replica.lastError = errorMessage(error);
      scheduleProbe(replica);
      return;
    }
    if (stopped) return;
    replica.started = true;
    replica.state = 'up';
    replica.failedProbes = 0;
    options.onReplicaState?.(replica.url, 'up');
  }

  function pick(): Replica | undefined {
    let best: Replica | undefined;
    for (const replica of replicas) {
      if (replica.state !== 'up') continue;
      if (!best || replica.outstanding < best.outstanding || (replica.outstanding === best.outstanding && replica.requests < best.requests)) best = replica;
    }
    return best;
  }

  async function generate(request: GenerateRequest, onToken?: (token: TokenEvent) => void): Promise<GenerateResult> {
    const replica = pick();
    if (!replica) {
      const detail = replicas.map((r) => `${r.url}: ${r.lastError ?? 'down'}`).join('; ');
      throw new Error(`model "${model.label}": no healthy replica (all ${replicas.length} taken out; ${detail})`);
    }
    replica.outstanding++;
    replica.requests++;
    const began = clock.now();
    try {
      const result = await replica.engine.generate(request, onToken);
      if (result.finishReason !== 'abort') replica.recordAnswer(result.tEnd - began);
      return result;
    } catch (error) {
      replica.errors++;
      replica.lastError = errorMessage(error);
      if (isConnectionError(error)) {
        replica.connectionErrors++;
        takeOut(replica, replica.lastError);
      }
      throw error;
    } finally {
      replica.outstanding--;
    }
  }

  function info(): EngineInfo {
    const first = (replicas.find((r) => r.started) ?? replicas[0]!).engine.info();
    // The base device (e.g. npu:0) times the replica count: one model, several cards.
    return { ...first, device: `${first.device} x${replicas.length}`, url: urls[0] };
  }

  return {
    // Requests keep their scheduled send time on whichever replica takes them.
    sendsOnSchedule: replicas.every((r) => r.engine.sendsOnSchedule === true),
    info,
    async start() {
      stopped = false;
      const results = await Promise.allSettled(replicas.map((r) => r.engine.start()));
      if (results.every((r) => r.status === 'rejected')) {
        const reasons = results.map((r) => errorMessage((r as PromiseRejectedResult).reason));
        throw new Error(`model "${model.label}": no replica answered (${reasons.join('; ')})`);
      }
      // A replica that is not up yet starts out of rotation and is probed like a dead one.
      results.forEach((result, i) => {
        const replica = replicas[i]!;
        if (result.status === 'fulfilled') replica.started = true;
        else {
          replica.lastError = errorMessage(result.reason);
          takeOut(replica, replica.lastError);
        }
      });
    },
    generate,
    load(): EngineLoad {
      const total: EngineLoad = { queued: 0, running: 0, batchSize: 0 };
      for (const replica of replicas) {
        const load = replica.engine.load();
        total.queued += load.queued;
        total.running += load.running;
        total.batchSize += load.batchSize;
      }
      // Per endpoint, so the screen and the log can drill down to a replica.
      total.replicas = replicas.map((r) => r.stats());
      return total;
    },
    async stop() {
      stopped = true;
      for (const replica of replicas) {
        if (replica.probeTimer !== undefined) timers.clearTimeout(replica.probeTimer);
        replica.probeTimer = undefined;
      }
      await Promise.allSettled(replicas.map((r) => r.engine.stop()));
    },
    replicaStats: () => replicas.map((r) => r.stats()),
  };
}
