import type { ModelSlot } from '../engines/engine.js';
import { energyFigures, splitByBusyTime } from '../telemetry/energy.js';
import type { GroupAccumulator } from './group.js';
import type { WindowEnergy } from './power.js';
import type { EnergyFigures } from './snapshot.js';

/** The counts of a group that energy is divided by. */
type Counts = Pick<GroupAccumulator, 'completed' | 'correct' | 'outputTokens'>;

function figuresFor(joules: number, counts: Counts, durationS: number, estimated: boolean, coveredFraction: number, dynamicJoules?: number): EnergyFigures {
  const ratios = energyFigures({ joules, completed: counts.completed, correct: counts.correct, outputTokens: counts.outputTokens, durationS });
  const figures: EnergyFigures = { joules, estimated, coveredFraction };
  for (const [key, value] of Object.entries(ratios) as [keyof typeof ratios, number | undefined][]) {
    if (value !== undefined) figures[key] = value;
  }
  if (dynamicJoules !== undefined) {
    figures.dynamicJoules = dynamicJoules;
    if (counts.completed > 0) figures.dynamicJoulesPerQuery = dynamicJoules / counts.completed;
  }
  return figures;
}

/** Energy above the idle baseline over the window (never below 0). */
function dynamicOf(energy: WindowEnergy, durationS: number, idleBaselineW: number | undefined): number | undefined {
  return idleBaselineW === undefined ? undefined : Math.max(0, energy.joules - idleBaselineW * durationS);
}

/** Both models together: the device energy over the measured window. */
export function combinedEnergy(energy: WindowEnergy | undefined, counts: Counts, durationS: number, idleBaselineW?: number): EnergyFigures {
  if (energy === undefined) return { estimated: false };
  return figuresFor(energy.joules, counts, durationS, false, energy.coveredFraction, dynamicOf(energy, durationS, idleBaselineW));
}

/** One model's share of the device energy, split by busy time: always an estimate. */
export function modelEnergy(
  energy: WindowEnergy | undefined,
  slot: ModelSlot,
  busyMs: Record<ModelSlot, number>,
  counts: Counts,
  durationS: number,
  idleBaselineW?: number,
): EnergyFigures {
  if (energy === undefined) return { estimated: true };
  const joules = splitByBusyTime(energy.joules, busyMs)[slot];
  const dynamic = dynamicOf(energy, durationS, idleBaselineW);
  const dynamicShare = dynamic === undefined ? undefined : splitByBusyTime(dynamic, busyMs)[slot];
  return figuresFor(joules, counts, durationS, true, energy.coveredFraction, dynamicShare);
}
