import { deriveSeed, Prng } from './prng.js';
import type { DemoModelSpec } from './spec.js';
import { llama3InverseFrequencies } from './rope.js';

const PROGRESS_CHUNK = 1 << 22;

/**
 * Spread of the per-previous-token end-of-turn term, in logits. The greedy margins of
 * end-of-turn have a per-prompt level (std ~0.5) and a per-step spread (~0.7-0.9); this term
 * adds step-to-step variety that does not depend on the prompt. It is kept at 0.5, not 1:
 * demo-large's greedy paths share a few tokens (held-out prompts start with the same one and
 * loop on a handful), so at std 1 that one table entry decided most answers (measured held-out:
 * mean 25, median 1, max 112). At 0.5, replayed on the recorded margins: demo-large held-out
 * mean 12.9, max 97; demo-small mean 6.9, median 5.
 */
export const END_OF_TURN_AFTER_TOKEN_STD = 0.5;

/** One decoder layer. Projection matrices are stored [in, out] so the graph multiplies x @ W. */
export interface LayerWeights {
  inputNorm: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  o: Float32Array;
  postAttentionNorm: Float32Array;
  gate: Float32Array;
  up: Float32Array;
  down: Float32Array;
}

export interface DemoWeights {
  /** [vocab, hidden]: the token embedding and (tied) the lm_head. */
  embedding: Float32Array;
  layers: LayerWeights[];
  finalNorm: Float32Array;
  /** [vocab]: zero except the end-of-turn id (see calibrate.ts). */
  logitBias: Float32Array;
  /** [vocab]: added to the end-of-turn logit when the input token is this id (see calibrate.ts). */
  endOfTurnAfterToken: Float32Array;
  /** [headDim / 2]: llama3-scaled RoPE inverse frequencies. */
  inverseFrequencies: Float32Array;
}

/**
 * Seeded synthetic weights with scaled initialisation: projections have std 1/sqrt(fan_in)
 * so activations stay O(1), and the two projections that write into the residual stream
 * are further divided by sqrt(2 * layers) so it does not grow with depth. Norm weights vary
 * around 1 (not all ones) so that a graph that forgot to apply them would be caught by the
 * reference test. Every tensor has its own PRNG stream derived from (seed, name).
 */
export function generateWeights(spec: DemoModelSpec, onProgress?: (fraction: number) => void): DemoWeights {
  const { vocabSize: vocab, hiddenSize: h, intermediateSize: inter, heads, kvHeads, headDim } = spec;
  const residualScale = 1 / Math.sqrt(2 * spec.layers);
  const total = vocab * h + spec.layers * (h * (heads + kvHeads) * headDim * 2 + 3 * h * inter);
  let done = 0;
  const tensor = (label: string, size: number, std: number, mean = 0): Float32Array => {
    const prng = new Prng(deriveSeed(spec.seed, label));
    const out = new Float32Array(size);
    // Filled in chunks so that progress moves during the 33-66 M-value embedding too.
    for (let start = 0; start < size; start += PROGRESS_CHUNK) {
      prng.fillUniform(out.subarray(start, Math.min(size, start + PROGRESS_CHUNK)), std, mean);
      done += Math.min(PROGRESS_CHUNK, size - start);
      onProgress?.(Math.min(1, done / total));
    }
    return out;
  };
  const norm = (label: string): Float32Array => tensor(label, h, 0.2, 1);

  const embedding = tensor('embed_tokens', vocab * h, 1 / Math.sqrt(h));
  const layers: LayerWeights[] = [];
  for (let l = 0; l < spec.layers; l++) {
    const p = `layers.${l}.`;
    layers.push({
      inputNorm: norm(`${p}input_layernorm`),
      q: tensor(`${p}q_proj`, h * heads * headDim, 1 / Math.sqrt(h)),
      k: tensor(`${p}k_proj`, h * kvHeads * headDim, 1 / Math.sqrt(h)),
      v: tensor(`${p}v_proj`, h * kvHeads * headDim, 1 / Math.sqrt(h)),
      o: tensor(`${p}o_proj`, heads * headDim * h, residualScale / Math.sqrt(heads * headDim)),
      postAttentionNorm: norm(`${p}post_attention_layernorm`),
      gate: tensor(`${p}gate_proj`, h * inter, 1 / Math.sqrt(h)),
      up: tensor(`${p}up_proj`, h * inter, 1 / Math.sqrt(h)),
      down: tensor(`${p}down_proj`, inter * h, residualScale / Math.sqrt(inter)),
    });
  }
  return {
    embedding,
    layers,
    finalNorm: norm('norm'),
    logitBias: new Float32Array(vocab),
    endOfTurnAfterToken: tensor('end_of_turn_after_token', vocab, END_OF_TURN_AFTER_TOKEN_STD),
    inverseFrequencies: llama3InverseFrequencies(headDim),
  };
}
