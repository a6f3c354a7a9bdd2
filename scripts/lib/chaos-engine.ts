/**
 * An Engine wrapper that injects faults, seeded: slow tokens, a dropped stream mid-answer,
 * an HTTP 500, a hang (until the run's timeout aborts it), and "server kills" (every
 * request in flight fails, new ones are refused until the server is back). It remembers
 * which request got which fault until the run reports that request's record.
 */
import type { Engine, EngineInfo, EngineLoad, GenerateRequest, GenerateResult, TokenEvent } from '../../source/core/engines/engine.js';
import type { Random } from '../../source/core/scheduler/random.js';

export type FaultKind = 'slow' | 'drop' | 'http500' | 'hang' | 'kill';

export interface ChaosRates {
  slow: number;
  drop: number;
  http500: number;
  hang: number;
}

export interface ChaosEngine extends Engine {
  /** The server "dies" for `ms`: in-flight requests fail, new ones are refused. */
  kill(ms: number): void;
  /** Fault injected into each request still waiting for its record, by request id. */
  readonly pending: Map<string, FaultKind>;
}

/**
 * `slowIds`: requests picked for slow tokens are added here; the inner engine (a
 * FakeEngine whose perTokenMs reads the set) slows their tokens down.
 */
export function chaosEngine(inner: Engine, rates: ChaosRates, random: Random, onInjected: (kind: FaultKind) => void, slowIds: Set<string>): ChaosEngine {
  const pending = new Map<string, FaultKind>();
  const inFlight = new Map<string, (error: Error) => void>();
  let downUntil = 0;

  const mark = (id: string, kind: FaultKind) => {
    pending.set(id, kind);
    onInjected(kind);
  };

  function generate(request: GenerateRequest, onToken?: (token: TokenEvent) => void): Promise<GenerateResult> {
    if (performance.now() < downUntil) {
      mark(request.id, 'kill');
      return Promise.reject(new Error('cannot reach the server (ECONNREFUSED)'));
    }
    const roll = random.next();
    let edge = rates.http500;
    if (roll < edge) {
      mark(request.id, 'http500');
      return Promise.reject(new Error('HTTP 500: internal server error'));
    }
    if (roll < (edge += rates.hang)) {
      mark(request.id, 'hang');
      return new Promise((resolve) => {
        const t = performance.now();
        const aborted = () => resolve({ text: '', tokenIds: [], promptTokens: request.promptIds.length, outputTokens: 0, tStart: t, tEnd: performance.now(), tokenTimes: [], finishReason: 'abort' });
        if (request.signal?.aborted) aborted();
        else request.signal?.addEventListener('abort', aborted, { once: true });
      });
    }
    const drop = roll < (edge += rates.drop);
    const slow = !drop && roll < edge + rates.slow;
    if (drop) mark(request.id, 'drop');
    if (slow) {
      mark(request.id, 'slow');
      slowIds.add(request.id);
    }
    return new Promise<GenerateResult>((resolve, reject) => {
      inFlight.set(request.id, reject);
      let tokens = 0;
      // A dropped stream fails after its first token; the inner request is aborted like a closed socket would.
      const inner$ = new AbortController();
      const signal = request.signal ? AbortSignal.any([request.signal, inner$.signal]) : inner$.signal;
      inner
        .generate({ ...request, signal }, (token) => {
          if (drop && ++tokens === 2) {
            inner$.abort();
            reject(new Error('stream ended early: connection reset by peer'));
          }
          onToken?.(token);
        })
        .then(resolve, reject)
        .finally(() => {
          inFlight.delete(request.id);
          slowIds.delete(request.id);
        });
    });
  }

  return {
    pending,
    info: (): EngineInfo => inner.info(),
    load: (): EngineLoad => inner.load(),
    start: () => inner.start(),
    stop: () => inner.stop(),
    generate,
    kill(ms: number) {
      downUntil = performance.now() + ms;
      for (const [id, fail] of inFlight) {
        if (!pending.has(id)) mark(id, 'kill');
        fail(new Error('server exited (connection reset)'));
      }
      inFlight.clear();
    },
  };
}
