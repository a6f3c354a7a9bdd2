/** One timed run: wall time and tokens generated. */
export interface Timing {
  ms: number;
  tokens: number;
}

/** Runs `fn` `repeats` times and keeps the fastest (the machine's cores are shared: the best run is the least disturbed). */
export async function bestOf(repeats: number, fn: () => Promise<Timing>): Promise<Timing> {
  let best: Timing | undefined;
  for (let i = 0; i < Math.max(1, repeats); i++) {
    const timing = await fn();
    if (!best || timing.ms < best.ms) best = timing;
  }
  return best!;
}

export function formatRatio(ratio: number, suffix = ''): string {
  return `${ratio.toFixed(2)}x${suffix ? ` ${suffix}` : ''}`;
}
