import { specialTokens, type DemoModelSpec } from '../../../../../source/core/engines/onnx/demo/spec.js';
import type { DemoWeights } from '../../../../../source/core/engines/onnx/demo/weights.js';

/**
 * A deliberately plain Llama forward pass in float64 over one unpadded sequence, no cache:
 * the oracle the ONNX graph is compared against. Returns the logits of the last position.
 */
export function referenceLastLogits(spec: DemoModelSpec, w: DemoWeights, tokens: number[]): Float64Array {
  const { hiddenSize: h, heads, kvHeads, headDim: d, intermediateSize: inter, vocabSize: vocab } = spec;
  const group = heads / kvHeads;
  const n = tokens.length;
  const matVec = (x: ArrayLike<number>, m: Float32Array, inDim: number, outDim: number): Float64Array => {
    const out = new Float64Array(outDim);
    for (let i = 0; i < inDim; i++) for (let j = 0; j < outDim; j++) out[j]! += x[i]! * m[i * outDim + j]!;
    return out;
  };
  const rmsNorm = (x: Float64Array, weight: Float32Array): Float64Array => {
    let sum = 0;
    for (const v of x) sum += v * v;
    const inv = 1 / Math.sqrt(sum / x.length + 1e-5);
    return x.map((v, i) => v * inv * weight[i]!);
  };
  const rope = (vec: Float64Array, headCount: number, position: number): void => {
    const half = d / 2;
    for (let hh = 0; hh < headCount; hh++) {
      for (let i = 0; i < half; i++) {
        const angle = position * w.inverseFrequencies[i]!;
        const a = vec[hh * d + i]!;
        const b = vec[hh * d + i + half]!;
        vec[hh * d + i] = a * Math.cos(angle) - b * Math.sin(angle);
        vec[hh * d + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
      }
    }
  };

  let x: Float64Array[] = tokens.map((t) => Float64Array.from(w.embedding.subarray(t * h, (t + 1) * h)));
  for (const layer of w.layers) {
    const normed = x.map((row) => rmsNorm(row, layer.inputNorm));
    const q = normed.map((row, t) => {
      const v = matVec(row, layer.q, h, heads * d);
      rope(v, heads, t);
      return v;
    });
    const k = normed.map((row, t) => {
      const v = matVec(row, layer.k, h, kvHeads * d);
      rope(v, kvHeads, t);
      return v;
    });
    const v = normed.map((row) => matVec(row, layer.v, h, kvHeads * d));
    x = x.map((row, t) => {
      const context = new Float64Array(heads * d);
      for (let hh = 0; hh < heads; hh++) {
        const kv = Math.floor(hh / group);
        const scores: number[] = [];
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let i = 0; i < d; i++) dot += q[t]![hh * d + i]! * k[s]![kv * d + i]!;
          scores.push(dot / Math.sqrt(d));
        }
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, s) => {
          for (let i = 0; i < d; i++) context[hh * d + i]! += (e / total) * v[s]![kv * d + i]!;
        });
      }
      const attention = matVec(context, layer.o, heads * d, h);
      return row.map((value, i) => value + attention[i]!);
    });
    x = x.map((row) => {
      const m = rmsNorm(row, layer.postAttentionNorm);
      const gate = matVec(m, layer.gate, h, inter);
      const up = matVec(m, layer.up, h, inter);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
      const down = matVec(act, layer.down, inter, h);
      return row.map((value, i) => value + down[i]!);
    });
  }
  const last = rmsNorm(x[n - 1]!, w.finalNorm);
  const logits = new Float64Array(vocab);
  for (let t = 0; t < vocab; t++) {
    let dot = w.logitBias[t]!;
    for (let i = 0; i < h; i++) dot += w.embedding[t * h + i]! * last[i]!;
    logits[t] = dot;
  }
  logits[specialTokens(spec).eot] += w.endOfTurnAfterToken[tokens[n - 1]!]!;
  return logits;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
