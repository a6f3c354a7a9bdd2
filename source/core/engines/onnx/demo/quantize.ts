/** Weights per quantization block along the input dimension (the onnx-community q4 exports use 32). */
export const Q4_BLOCK_SIZE = 32;

/** A weight in MatMulNBits' layout (onnxruntime contrib op, bits 4, symmetric, no zero_points input). */
export interface Q4Weight {
  /** [N, K / block, block / 2]: per output row, per block, two 4-bit values a byte, low nibble first. */
  blocks: Uint8Array;
  /** [N * K / block]: one scale per block. */
  scales: Float32Array;
  /** Input (K) and output (N) sizes. */
  k: number;
  n: number;
}

/**
 * Symmetric 4-bit block quantization of a weight stored [in, out] (x @ W). Each block of 32
 * input weights of one output gets scale = max|w| / 7 and codes round(w / scale) + 8 in
 * 1..15; without a zero_points input MatMulNBits subtracts 8, so w ~ (code - 8) * scale.
 * `transposed` says the weight is already [out, in] (the tied embedding used as lm_head).
 */
export function quantizeQ4(weight: Float32Array, k: number, n: number, transposed = false): Q4Weight {
  if (k % Q4_BLOCK_SIZE !== 0) throw new Error(`quantizeQ4: input size ${k} is not a multiple of ${Q4_BLOCK_SIZE}`);
  const blocksPerRow = k / Q4_BLOCK_SIZE;
  const blocks = new Uint8Array(n * k / 2);
  const scales = new Float32Array(n * blocksPerRow);
  const at = transposed ? (row: number, col: number) => weight[row * k + col]! : (row: number, col: number) => weight[col * n + row]!;
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < blocksPerRow; b++) {
      let max = 0;
      for (let i = 0; i < Q4_BLOCK_SIZE; i++) max = Math.max(max, Math.abs(at(row, b * Q4_BLOCK_SIZE + i)));
      const scale = max / 7;
      scales[row * blocksPerRow + b] = scale;
      const base = (row * blocksPerRow + b) * (Q4_BLOCK_SIZE / 2);
      for (let i = 0; i < Q4_BLOCK_SIZE; i++) {
        const code = scale === 0 ? 8 : Math.max(0, Math.min(15, Math.round(at(row, b * Q4_BLOCK_SIZE + i) / scale) + 8));
        blocks[base + (i >> 1)]! |= i & 1 ? code << 4 : code;
      }
    }
  }
  return { blocks, scales, k, n };
}
