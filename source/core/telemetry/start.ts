/**
 * Runs the telemetry sources of a run: one loop per source, one sample every intervalMs,
 * never two samples of a source at once. A sample that fails or hangs marks its source
 * degraded (with the error line) and the loop tries again at the next interval; a late
 * answer from a hung sample is dropped, since its time would be wrong.
 */
import { sleep, type Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { RunEvent } from '../events.js';
import type { TelemetryProfile } from '../profile/schema.js';
import { SourceUnavailableError } from './runner.js';
import type { TelemetrySourceName, TelemetryStatus } from './sample.js';
import type { SourceSample, TelemetryDeps, TelemetrySource } from './source.js';
import { defaultTelemetryDeps, detectSources } from './sources.js';

export { createSource, detectSources, defaultTelemetryDeps } from './sources.js';

export interface TelemetryHandle {
  stop(): Promise<void>;
  status(): TelemetryStatus[];
}

export interface TelemetryOptions {
  clock: Clock;
  emit: (event: RunEvent) => void;
  /** Pids whose RSS/CPU the system source reports; duet's own by default. */
  pids?: () => number[];
  /** Test seams: spawning, files, fetch (defaults: the real ones). */
  deps?: Partial<TelemetryDeps>;
}

/** How long a sample may take before the source is called degraded: the tool's own
 * timeout kills it first; this catches a call that ignores even that. */
export function sampleDeadlineMs(config: TelemetryProfile): number {
  return config.timeoutMs * 2;
}

const timedOut = Symbol('timed out');

export async function startTelemetry(config: TelemetryProfile, options: TelemetryOptions): Promise<TelemetryHandle> {
  const { clock, emit } = options;
  const deps = defaultTelemetryDeps({ clock, ...(options.pids ? { pids: options.pids } : {}), ...options.deps });
  const detected = await detectSources(config, deps);
  const statuses = new Map<TelemetrySourceName, TelemetryStatus>();
  const stopper = new AbortController();
  const stopped = new Promise<typeof timedOut>((resolve) => stopper.signal.addEventListener('abort', () => resolve(timedOut), { once: true }));

  function setStatus(next: TelemetryStatus): void {
    const current = statuses.get(next.source);
    if (current && current.state === next.state && current.reason === next.reason) return;
    statuses.set(next.source, next);
    emit({ type: 'telemetry-status', t: clock.now(), status: next });
  }
  for (const status of detected.statuses) setStatus(status);

  async function loop(source: TelemetrySource): Promise<void> {
    let inFlight: Promise<SourceSample> | undefined;
    const status = (state: TelemetryStatus['state'], reason?: string) =>
      setStatus({ source: source.name, state, ...(reason ? { reason } : {}), intervalMs: config.intervalMs });

    while (!stopper.signal.aborted) {
      const began = clock.now();
      if (!inFlight) {
        const attempt = source.sample();
        inFlight = attempt;
        // Cleared only when the call really ends, so a hung call blocks the next one.
        attempt.then(
          () => (inFlight = undefined),
          () => (inFlight = undefined),
        );
        let deadline: ReturnType<typeof setTimeout> | undefined;
        try {
          const result = await Promise.race([
            attempt,
            new Promise<typeof timedOut>((resolve) => (deadline = setTimeout(() => resolve(timedOut), sampleDeadlineMs(config)))),
            stopped,
          ]);
          if (stopper.signal.aborted) break;
          if (result === timedOut) status('degraded', `${source.name}: no answer within ${sampleDeadlineMs(config)} ms`);
          else {
            const t = clock.now();
            emit({ type: 'telemetry', t, sample: { source: source.name, t, devices: result.devices } });
            status(result.problem ? 'degraded' : 'ok', result.problem);
          }
        } catch (error) {
          if (stopper.signal.aborted) break;
          if (error instanceof SourceUnavailableError) {
            status('unavailable', errorMessage(error));
            return;
          }
          status('degraded', errorMessage(error));
        } finally {
          clearTimeout(deadline);
        }
      }
      const elapsed = clock.now() - began;
      await sleep(Math.max(0, config.intervalMs - elapsed), stopper.signal);
    }
  }

  const loops = detected.sources.map(loop);
  return {
    async stop() {
      stopper.abort();
      await Promise.all(loops);
    },
    status: () => [...statuses.values()],
  };
}
