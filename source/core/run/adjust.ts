import type { LoadSetting } from '../events.js';

/** Rate step of +/-: x or / 1.25, i.e. ~5 presses to double. */
export const RATE_STEP = 1.25;
export const WEIGHT_STEP = 0.1;

/** +/- on the load: closed loop one more or fewer outstanding (at least 1); open loop the rate x or / 1.25. */
export function adjustedLoad(load: LoadSetting, direction: 1 | -1): LoadSetting {
  if (load.mode === 'closed') return { mode: 'closed', concurrency: Math.max(1, load.concurrency + direction) };
  const rate = direction > 0 ? load.rate * RATE_STEP : load.rate / RATE_STEP;
  return { mode: 'open', rate: roundSignificant(rate, 3) };
}

/** Weight in [0, 1], kept to one decimal so repeated steps never drift (0.1 + 0.2). */
export function clampWeight(weight: number): number {
  return Math.min(1, Math.max(0, Math.round(weight * 100) / 100));
}

export function adjustedWeight(weight: number, direction: 1 | -1): number {
  return clampWeight(Math.round((weight + direction * WEIGHT_STEP) * 10) / 10);
}

function roundSignificant(value: number, digits: number): number {
  if (value === 0) return 0;
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}
