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

/** Best of `repeats` for two contenders, run in turns (a, b, a, b, ...) so that both meet the same background load. */
export async function alternate(repeats: number, a: () => Promise<Timing>, b: () => Promise<Timing>): Promise<[Timing, Timing]> {
  let bestA: Timing | undefined;
  let bestB: Timing | undefined;
  for (let i = 0; i < Math.max(1, repeats); i++) {
    const ta = await a();
    if (!bestA || ta.ms < bestA.ms) bestA = ta;
    const tb = await b();
    if (!bestB || tb.ms < bestB.ms) bestB = tb;
  }
  return [bestA!, bestB!];
}

export function formatRatio(ratio: number, suffix = ''): string {
  return `${ratio.toFixed(2)}x${suffix ? ` ${suffix}` : ''}`;
}
