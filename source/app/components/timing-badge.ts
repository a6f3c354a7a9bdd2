import { guardLimits, type MeasuringFigures } from '../../core/plane/guard.js';
import type { Colour, Theme } from '../theme.js';

/**
 * The measuring guard as a header badge: green while the threads that take the timings
 * keep up, amber when a figure may be inflated by a few ms, red when the client is the
 * bottleneck. Absent before the first sample (in-process runs have no client thread but
 * still judge send lag).
 */
export function timingBadge(measuring: MeasuringFigures, theme: Theme): { label: string; colour: Colour } | undefined {
  const latest = measuring.latest;
  if (!latest) return undefined;
  // What may be off by how much: the timestamps (client stalls), else the sends (send lag).
  const off = Math.max(1, Math.ceil(latest.inflationMs > guardLimits.loopDelayMs.warn ? latest.inflationMs : (latest.sendLag?.p99Ms ?? latest.inflationMs)));
  if (latest.verdict === 'bound') return { label: `CLIENT-BOUND ±${off}ms`, colour: theme.bad };
  if (latest.verdict === 'warn') return { label: `timing ±${off}ms`, colour: theme.warn };
  return { label: 'timing ok', colour: theme.good };
}
