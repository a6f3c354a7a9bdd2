import { sleep, systemClock, type Clock } from '../clock.js';

export interface ReadinessOptions {
  timeoutMs: number;
  clock?: Clock;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  /** Called about once a second while waiting, with the seconds waited so far. */
  onProgress?: (seconds: number) => void;
  /** Stops waiting (e.g. the server exited). */
  signal?: AbortSignal;
  /** After a 2xx: undefined when the answering server is the right one, else why not (keeps waiting). */
  verify?: (signal: AbortSignal) => Promise<string | undefined>;
}

export type Readiness = { ready: true } | { ready: false; reason: 'timeout' | 'aborted'; lastError?: string };

/** Polls `url` until it answers 2xx, the timeout passes or the signal fires. */
export async function waitForReady(url: string, options: ReadinessOptions): Promise<Readiness> {
  const clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? fetch;
  const interval = options.pollIntervalMs ?? 250;
  const t0 = clock.now();
  let lastError: string | undefined;
  let lastReported = 0;
  while (!options.signal?.aborted) {
    try {
      const timeout = AbortSignal.timeout(Math.max(100, Math.min(2_000, options.timeoutMs)));
      const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
      const response = await doFetch(url, { signal });
      await response.body?.cancel();
      if (response.ok) {
        const problem = options.verify ? await options.verify(options.signal ?? new AbortController().signal) : undefined;
        if (problem === undefined) return { ready: true };
        lastError = problem;
      } else lastError = `HTTP ${response.status}`;
    } catch (error) {
      const cause = error instanceof Error ? (error as Error & { cause?: { code?: string } }).cause?.code : undefined;
      lastError = cause ?? (error instanceof Error ? error.message : String(error));
    }
    const waited = clock.now() - t0;
    if (waited >= options.timeoutMs) return { ready: false, reason: 'timeout', lastError };
    const seconds = Math.floor(waited / 1000);
    if (seconds > lastReported) {
      lastReported = seconds;
      options.onProgress?.(seconds);
    }
    await sleep(Math.min(interval, options.timeoutMs - waited), options.signal);
  }
  return { ready: false, reason: 'aborted', lastError };
}
