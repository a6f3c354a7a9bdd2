/**
 * Scrapes each HTTP model's own /metrics (and llama.cpp's /slots) during a run and emits
 * what it reads as `server-metrics` events, so the screen can put the server's queue,
 * batch and KV cache next to duet's client-side latency. One loop per target, never two
 * scrapes of a target at once; a failing scrape is reported once (not every interval) and
 * retried at the next one.
 */
import type { Clock } from '../clock.js';
import type { ModelSlot } from '../engines/engine.js';
import { errorMessage } from '../errors.js';
import type { RunEvent } from '../events.js';
import type { ModelProfile } from '../profile/schema.js';
import { serverViewFrom, slotsFrom, type ServerCounters, type ServerView } from './server-view.js';

export interface ServerMetricsTarget {
  model: ModelSlot;
  url: string;
  /** llama.cpp's /slots, read next to /metrics when set. */
  slotsUrl?: string;
  /** The served model name, to pick its series on a server that serves several. */
  served?: string;
  /** Defaulted (not set in the profile): a server that never answers with serving metrics is left alone, silently. */
  implicit?: boolean;
}

/** Attempts an implicit target gets to answer with serving metrics before it is left alone. */
const IMPLICIT_ATTEMPTS = 3;

export interface ServerMetricsOptions {
  clock: Clock;
  emit: (event: RunEvent) => void;
  fetch?: typeof fetch;
  intervalMs?: number;
  timeoutMs?: number;
  /** Seam for tests: waits ms or until the signal aborts. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ServerMetricsHandle {
  stop(): Promise<void>;
}

/**
 * The scrape targets of a run's models: `metricsUrl` when the profile gives one, else the
 * server's own /metrics when duet launches it (an attached server may not expose one, or
 * expose it elsewhere: MindIE serves it on its management port).
 */
export function serverMetricsTargets(models: Record<ModelSlot, ModelProfile>): ServerMetricsTarget[] {
  const targets: ServerMetricsTarget[] = [];
  for (const slot of ['A', 'B'] as const) {
    const model = models[slot];
    if (model.backend !== 'openai') continue;
    const base = model.url ?? model.endpoints?.[0];
    const url = model.metricsUrl ?? (model.launch && base ? new URL('/metrics', base).href : undefined);
    if (!url) continue;
    const slotsUrl = model.dialect === 'llama.cpp' && base ? new URL('/slots', base).href : undefined;
    targets.push({
      model: slot,
      url,
      ...(slotsUrl ? { slotsUrl } : {}),
      ...(model.served ? { served: model.served } : {}),
      ...(model.metricsUrl ? {} : { implicit: true }),
    });
  }
  return targets;
}

async function get(doFetch: typeof fetch, url: string, timeoutMs: number, accept: string): Promise<string> {
  let response: Response;
  try {
    response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept } });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`GET ${url}: ${timedOut ? `no answer within ${timeoutMs} ms` : `${errorMessage(error)}${cause}`}`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return text;
}

const defaultWait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export function startServerMetrics(targets: readonly ServerMetricsTarget[], options: ServerMetricsOptions): ServerMetricsHandle {
  const { clock, emit } = options;
  const doFetch = options.fetch ?? fetch;
  const intervalMs = options.intervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? Math.min(1500, intervalMs);
  const wait = options.wait ?? defaultWait;
  const stopper = new AbortController();

  async function scrape(target: ServerMetricsTarget, previous: ServerCounters | undefined): Promise<{ view: ServerView; counters: ServerCounters }> {
    const text = await get(doFetch, target.url, timeoutMs, 'text/plain');
    let reading: { view: ServerView; counters: ServerCounters };
    try {
      reading = serverViewFrom(text, previous, target.served);
    } catch (error) {
      throw new Error(`GET ${target.url}: not Prometheus exposition text (${errorMessage(error)})`);
    }
    if (Object.keys(reading.view).length === 0 && Object.keys(reading.counters).length === 0) {
      throw new Error(`GET ${target.url}: no serving metrics (vLLM, SGLang, llama.cpp or MindIE names) in the exposition`);
    }
    if (target.slotsUrl) {
      const slots = slotsFrom(JSON.parse(await get(doFetch, target.slotsUrl, timeoutMs, 'application/json')) as unknown);
      if (slots) Object.assign(reading.view, slots);
    }
    return reading;
  }

  async function loop(target: ServerMetricsTarget): Promise<void> {
    let previous: ServerCounters | undefined;
    let lastProblem: string | undefined;
    let answered = false;
    let attempts = 0;
    while (!stopper.signal.aborted) {
      attempts++;
      const began = clock.now();
      try {
        const reading = await scrape(target, previous);
        if (stopper.signal.aborted) break;
        previous = reading.counters;
        lastProblem = undefined;
        answered = true;
        emit({ type: 'server-metrics', t: clock.now(), model: target.model, url: target.url, view: reading.view });
      } catch (error) {
        if (stopper.signal.aborted) break;
        // A launched server without metrics (duet serve, llama-server without --metrics) is not a problem.
        if (target.implicit && !answered) {
          if (attempts >= IMPLICIT_ATTEMPTS) break;
          await wait(intervalMs, stopper.signal);
          continue;
        }
        const problem = errorMessage(error);
        previous = undefined;
        if (problem !== lastProblem) emit({ type: 'server-metrics', t: clock.now(), model: target.model, url: target.url, view: {}, problem });
        lastProblem = problem;
      }
      await wait(Math.max(0, intervalMs - (clock.now() - began)), stopper.signal);
    }
  }

  const loops = targets.map((target) => loop(target));
  return {
    async stop() {
      stopper.abort();
      await Promise.allSettled(loops);
    },
  };
}

/** What the run controller holds for its telemetry: stop it, and the device sources' status. */
export interface RunTelemetryHandle {
  stop(): Promise<void>;
  status(): import('./sample.js').TelemetryStatus[];
}

/**
 * Starts the servers' /metrics scraping beside the device telemetry (when there is any), as
 * one handle: stopping it stops both. A device source that fails to start stops the scraping
 * too, and its error goes on to the caller (which warns and runs without telemetry).
 */
export async function withServerMetrics(
  devices: (() => Promise<RunTelemetryHandle>) | undefined,
  targets: readonly ServerMetricsTarget[],
  options: ServerMetricsOptions,
): Promise<RunTelemetryHandle> {
  const servers = startServerMetrics(targets, options);
  let device: RunTelemetryHandle | undefined;
  try {
    device = devices ? await devices() : undefined;
  } catch (error) {
    await servers.stop();
    throw error;
  }
  return {
    async stop() {
      await Promise.all([servers.stop(), device?.stop()]);
    },
    status: () => device?.status() ?? [],
  };
}
