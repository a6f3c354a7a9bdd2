import leven from 'leven';

/**
 * The known name closest to a mistyped one, for "did you mean" hints: within a
 * Levenshtein distance of 2 (or a third of the name, for long ones), else undefined.
 * `--concurency` -> `--concurrency`; a flag from another tool's spelling (`--max-concurency`)
 * finds ours too, when it is one.
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const distance = leven(name, candidate, { maxDistance: bestDistance });
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
