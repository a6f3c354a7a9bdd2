/** RoPE settings of Llama 3.x (the demo models use them verbatim). */
export const LLAMA3_ROPE = {
  theta: 500_000,
  factor: 32,
  lowFreqFactor: 1,
  highFreqFactor: 4,
  originalMaxPositions: 8192,
} as const;

/**
 * Inverse frequencies of the llama3 rope scaling: long wavelengths are divided by `factor`,
 * short ones kept, and the band in between interpolated smoothly. Computed in float64 at
 * build time and stored as an initializer, so the graph only multiplies positions by them.
 */
export function llama3InverseFrequencies(headDim: number, rope = LLAMA3_ROPE): Float32Array {
  const half = headDim / 2;
  const out = new Float32Array(half);
  const lowFreqWavelen = rope.originalMaxPositions / rope.lowFreqFactor;
  const highFreqWavelen = rope.originalMaxPositions / rope.highFreqFactor;
  for (let i = 0; i < half; i++) {
    const base = 1 / Math.pow(rope.theta, (2 * i) / headDim);
    const wavelen = (2 * Math.PI) / base;
    let value = base;
    if (wavelen > lowFreqWavelen) {
      value = base / rope.factor;
    } else if (wavelen >= highFreqWavelen) {
      const smooth = (rope.originalMaxPositions / wavelen - rope.lowFreqFactor) / (rope.highFreqFactor - rope.lowFreqFactor);
      value = (1 - smooth) * (base / rope.factor) + smooth * base;
    }
    out[i] = value;
  }
  return out;
}
