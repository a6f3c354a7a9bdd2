import { float, GraphBuilder, int, ints } from './graph-builder.js';
import { DataType } from './onnx-proto.js';
import { Q4_BLOCK_SIZE, quantizeQ4 } from './quantize.js';
import { float32ToFloat16 } from '../float16.js';
import { specialTokens, type DemoDtype, type DemoModelSpec } from './spec.js';
import type { DemoWeights } from './weights.js';

export const RMS_NORM_EPS = 1e-5;
/** Opset 17: ReduceMean still takes axes as an attribute, LessOrEqual exists, ORT CPU runs it all. */
export const OPSET_VERSION = 17;
/** Added to masked attention scores. Finite (not -inf) so that a fully padded query row
 * softmaxes to a uniform row instead of NaN; float16 tops out at 65,504. */
const MASKED_SCORE = -1e9;
const MASKED_SCORE_FP16 = -6e4;

/** Symbolic dimension names, as in the onnx-community Llama exports. */
const BATCH = 'batch_size';
const SEQ = 'sequence_length';
const PAST = 'past_sequence_length';
const TOTAL = 'total_sequence_length';

/**
 * The Llama 3 decoder as an ONNX graph of standard ops, with the onnx-community I/O:
 * input_ids, attention_mask, position_ids, past_key_values.{i}.key/value ->
 * logits (last position only), present.{i}.key/value.
 * The dtypes follow the onnx-community files of the same names:
 * - fp32 (model.onnx): float32 everywhere, MatMul.
 * - fp16 (model_fp16.onnx): float16 weights, activations, KV cache and logits; RoPE angles
 *   are computed in float32 (positions up to 128k need its precision) and cast.
 * - q4 (model_q4.onnx): every projection and the lm_head are MatMulNBits (com.microsoft:
 *   4-bit symmetric blocks of 32 along the input), float32 activations (quantized to int8
 *   inside the kernel, accuracy_level 4), KV cache and logits.
 * - q4f16 (model_q4f16.onnx): the q4 weights with float16 activations, KV cache and logits.
 * Quantized variants keep the input embedding as a float16 table (one row read per token);
 * the lm_head is its own 4-bit weight.
 */
export function buildLlamaGraph(spec: DemoModelSpec, weights: DemoWeights, dtype: DemoDtype = 'fp32'): GraphBuilder {
  const g = new GraphBuilder();
  const { hiddenSize: h, heads, kvHeads, headDim, intermediateSize: inter, vocabSize: vocab } = spec;
  const group = heads / kvHeads;
  const half = dtype === 'fp16' || dtype === 'q4f16';
  const quantized = dtype === 'q4' || dtype === 'q4f16';
  const FT = half ? DataType.FLOAT16 : DataType.FLOAT;
  /** A weight in the graph's float type. */
  const weight = (name: string, dims: number[], data: Float32Array): string =>
    g.initializer(name, dims, half ? Uint16Array.from(data, float32ToFloat16) : data);
  /** A shared scalar/vector constant in the graph's float type. */
  const constant = (values: number[], dims?: number[]): string => (half ? g.float16(values, dims) : g.float32(values, dims));

  const ids = g.input({ name: 'input_ids', elemType: DataType.INT64, shape: [BATCH, SEQ] });
  const mask = g.input({ name: 'attention_mask', elemType: DataType.INT64, shape: [BATCH, TOTAL] });
  const positions = g.input({ name: 'position_ids', elemType: DataType.INT64, shape: [BATCH, SEQ] });
  const kvShape = (len: string): (number | string)[] => [BATCH, kvHeads, len, headDim];
  const pastNames = Array.from({ length: spec.layers }, (_, i) => ({
    key: g.input({ name: `past_key_values.${i}.key`, elemType: FT, shape: kvShape(PAST) }),
    value: g.input({ name: `past_key_values.${i}.value`, elemType: FT, shape: kvShape(PAST) }),
  }));

  /** x @ W for W stored [in, out]: MatMul, or MatMulNBits on its 4-bit blocks. */
  const linear = (input: string, name: string, w: Float32Array, inDim: number, outDim: number, transposed = false): string => {
    if (!quantized) return g.op('MatMul', [input, weight(name, [inDim, outDim], w)]);
    const q = quantizeQ4(w, inDim, outDim, transposed);
    const blocks = g.initializer(`${name}_Q4`, [outDim, inDim / Q4_BLOCK_SIZE, Q4_BLOCK_SIZE / 2], q.blocks);
    const scales = weight(`${name}_scales`, [outDim * (inDim / Q4_BLOCK_SIZE)], q.scales);
    // accuracy_level 4: int8 activations, onnxruntime's fastest CPU kernel (3x fp32 MatMul at
    // batch 1 on the lm_head; level 0 dequantizes to float32 and is slower than fp32 at batch 8).
    const attributes = { K: int(inDim), N: int(outDim), bits: int(4), block_size: int(Q4_BLOCK_SIZE), accuracy_level: int(4) };
    return g.op('MatMulNBits', [input, blocks, scales], attributes, { domain: 'com.microsoft' });
  };

  const embedding = quantized
    ? g.initializer('model.embed_tokens.weight', [vocab, h], Uint16Array.from(weights.embedding, float32ToFloat16))
    : weight('model.embed_tokens.weight', [vocab, h], weights.embedding);
  let x = g.op('Gather', [embedding, ids], { axis: int(0) });
  if (dtype === 'q4') x = g.op('Cast', [x], { to: int(DataType.FLOAT) });

  const rmsNorm = (input: string, weight: string): string => {
    // Pow -> ReduceMean -> Add -> Sqrt -> Div -> Mul: the pattern onnxruntime fuses into SimplifiedLayerNormalization.
    const squared = g.op('Pow', [input, constant([2], [])]);
    const meanSquare = g.op('ReduceMean', [squared], { axes: ints([-1]), keepdims: int(1) });
    const rms = g.op('Sqrt', [g.op('Add', [meanSquare, constant([RMS_NORM_EPS], [])])]);
    return g.op('Mul', [g.op('Div', [input, rms]), weight]);
  };

  // RoPE tables, shared by all layers: [B, S, 1, headDim] so they broadcast over heads.
  const inverseFrequencies = g.initializer('rope.inv_freq', [headDim / 2], weights.inverseFrequencies);
  const angles = g.op('Mul', [g.op('Unsqueeze', [g.op('Cast', [positions], { to: int(DataType.FLOAT) }), g.int64([2])]), inverseFrequencies]);
  const fullAngles = g.op('Unsqueeze', [g.op('Concat', [angles, angles], { axis: int(-1) }), g.int64([2])]);
  const toFloatType = (value: string): string => (half ? g.op('Cast', [value], { to: int(DataType.FLOAT16) }) : value);
  const cos = toFloatType(g.op('Cos', [fullAngles]));
  const sin = toFloatType(g.op('Sin', [fullAngles]));
  const halves = g.int64([headDim / 2, headDim / 2]);
  const rope = (input: string): string => {
    const [first, second] = g.opMulti('Split', [input, halves], 2, { axis: int(-1) });
    const rotated = g.op('Concat', [g.op('Neg', [second!]), first!], { axis: int(-1) });
    return g.op('Add', [g.op('Mul', [input, cos]), g.op('Mul', [rotated, sin])]);
  };

  // Attention bias [B, 1, 1, S, T]: key t is visible to query i when t <= past + i and
  // attention_mask[b, t] = 1 (left padding). Built once, added in every layer.
  const scalar = (value: number): string => g.int64([value], []);
  const seqLen = g.op('Gather', [g.op('Shape', [ids]), scalar(1)], { axis: int(0) });
  const totalLen = g.op('Gather', [g.op('Shape', [mask]), scalar(1)], { axis: int(0) });
  const keyPositions = g.op('Range', [scalar(0), totalLen, scalar(1)]);
  const queryPositions = g.op('Range', [g.op('Sub', [totalLen, seqLen]), totalLen, scalar(1)]);
  const causal = g.op('LessOrEqual', [keyPositions, g.op('Unsqueeze', [queryPositions, g.int64([1])])]);
  const notPadding = g.op('Unsqueeze', [g.op('Cast', [mask], { to: int(DataType.BOOL) }), g.int64([1, 2, 3])]);
  const visible = g.op('And', [causal, notPadding]);
  const attentionBias = g.op('Where', [visible, constant([0], []), constant([half ? MASKED_SCORE_FP16 : MASKED_SCORE], [])]);
  const scale = constant([1 / Math.sqrt(headDim)], []);

  weights.layers.forEach((w, i) => {
    const p = `model.layers.${i}.`;
    const normed = rmsNorm(x, weight(`${p}input_layernorm.weight`, [h], w.inputNorm));
    const project = (name: string, data: Float32Array, outDim: number): string => linear(normed, `${p}self_attn.${name}.weight`, data, h, outDim);

    // Q as [B, kvHeads, group, S, headDim]: query head (kv * group + j) reads K/V head kv.
    const qHeads = rope(g.op('Reshape', [project('q_proj', w.q, heads * headDim), g.int64([0, 0, heads, headDim])]));
    const qScaled = g.op('Mul', [qHeads, scale]);
    const q = g.op('Transpose', [g.op('Reshape', [qScaled, g.int64([0, 0, kvHeads, group, headDim])])], { perm: ints([0, 2, 3, 1, 4]) });
    const kHeads = rope(g.op('Reshape', [project('k_proj', w.k, kvHeads * headDim), g.int64([0, 0, kvHeads, headDim])]));
    const k = g.op('Transpose', [kHeads], { perm: ints([0, 2, 1, 3]) });
    const vHeads = g.op('Reshape', [project('v_proj', w.v, kvHeads * headDim), g.int64([0, 0, kvHeads, headDim])]);
    const v = g.op('Transpose', [vHeads], { perm: ints([0, 2, 1, 3]) });

    const presentKey = g.op('Concat', [pastNames[i]!.key, k], { axis: int(2) }, { output: `present.${i}.key` });
    const presentValue = g.op('Concat', [pastNames[i]!.value, v], { axis: int(2) }, { output: `present.${i}.value` });
    g.output({ name: presentKey, elemType: FT, shape: kvShape(TOTAL) });
    g.output({ name: presentValue, elemType: FT, shape: kvShape(TOTAL) });

    const keysT = g.op('Unsqueeze', [g.op('Transpose', [presentKey], { perm: ints([0, 1, 3, 2]) }), g.int64([2])]);
    const scores = g.op('Add', [g.op('MatMul', [q, keysT]), attentionBias]);
    const probs = g.op('Softmax', [scores], { axis: int(-1) });
    const context = g.op('MatMul', [probs, g.op('Unsqueeze', [presentValue, g.int64([2])])]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: ints([0, 3, 1, 2, 4]) }), g.int64([0, 0, heads * headDim])]);
    const attention = linear(merged, `${p}self_attn.o_proj.weight`, w.o, heads * headDim, h);
    x = g.op('Add', [x, attention]);

    const mlpIn = rmsNorm(x, weight(`${p}post_attention_layernorm.weight`, [h], w.postAttentionNorm));
    const gate = linear(mlpIn, `${p}mlp.gate_proj.weight`, w.gate, h, inter);
    const up = linear(mlpIn, `${p}mlp.up_proj.weight`, w.up, h, inter);
    const activated = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    x = g.op('Add', [x, linear(activated, `${p}mlp.down_proj.weight`, w.down, inter, h)]);
  });

  // Only the last position reaches the lm_head: 128,256 x hidden is the most expensive matmul.
  // Normalising after the slice is equivalent (RMSNorm is per position) and cheaper.
  const last = g.op('Gather', [x, scalar(-1)], { axis: int(1) });
  const finalNormed = rmsNorm(last, weight('model.norm.weight', [h], weights.finalNorm));
  // End-of-turn logit += a weight looked up by the input token (a bigram term, as real models
  // learn where answers end): [B] values times a one-hot [vocab] row, added to the lm_head bias.
  const lastIds = g.op('Gather', [ids, scalar(-1)], { axis: int(1) });
  const afterToken = g.op('Gather', [weight('lm_head.end_of_turn_after_token', [vocab], weights.endOfTurnAfterToken), lastIds], { axis: int(0) });
  const eotRow = new Float32Array(vocab);
  eotRow[specialTokens(spec).eot] = 1;
  const eotTerm = g.op('Mul', [g.op('Unsqueeze', [afterToken, g.int64([1])]), weight('lm_head.end_of_turn_one_hot', [vocab], eotRow)]);
  const bias = g.op('Add', [eotTerm, weight('lm_head.end_of_turn_bias', [vocab], weights.logitBias)]);
  // Tied lm_head: Gemm with transB reuses the embedding matrix instead of storing a transposed copy.
  // Quantized: the lm_head is its own MatMulNBits weight, quantized from the embedding ([vocab, hidden] is already [N, K]).
  const logits2d = quantized
    ? g.op('Add', [linear(finalNormed, 'lm_head.weight', weights.embedding, h, vocab, true), bias])
    : g.op('Gemm', [finalNormed, embedding, bias], { transB: int(1), alpha: float(1), beta: float(1) });
  g.op('Unsqueeze', [logits2d, g.int64([1])], {}, { output: 'logits' });
  g.output({ name: 'logits', elemType: FT, shape: [BATCH, 1, vocab] });
  return g;
}
