import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16 } from '../../../../source/core/engines/onnx/float16.js';
import { pickGreedy } from '../../../../source/core/engines/onnx/greedy.js';
import { GreedyGraph } from '../../../../source/core/engines/onnx/greedy-graph.js';
import { TextStream } from '../../../../source/core/engines/onnx/text-stream.js';

/** log-softmax of `values[index]` the slow, obvious way. */
function logSoftmax(values: number[], index: number): number {
  const max = Math.max(...values);
  return values[index]! - max - Math.log(values.reduce((s, x) => s + Math.exp(x - max), 0));
}

function seeded(n: number, seed: number, scale: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31 - 0.5) * scale;
  });
}

describe('pickGreedy', () => {
  it('finds the arg-max and its log-softmax inside a row of a larger buffer', () => {
    for (const scale of [1, 20, 400]) {
      const row = seeded(5000, scale, scale);
      const buffer = Float32Array.from([...seeded(300, 1, 50), ...row, ...seeded(300, 2, 50)]);
      const expected = row.map((x, i) => [Math.fround(x), i] as const).reduce((a, b) => (b[0] > a[0] ? b : a));
      const pick = pickGreedy(buffer, 300, 5000);
      expect(pick.tokenId).toBe(expected[1]);
      // Documented precision: table exp (<= 7.7e-6 relative per term) and the e^-24 cut-off.
      expect(Math.abs(pick.logProb - logSoftmax(Array.from(buffer.subarray(300, 5300)), expected[1]))).toBeLessThan(2e-5);
    }
  });

  it('gives ties to the lowest id and log(1/n) for uniform logits', () => {
    const pick = pickGreedy(new Float32Array(1000).fill(3), 0, 1000);
    expect(pick).toEqual({ tokenId: 0, logProb: expect.closeTo(-Math.log(1000), 4) as number });
  });

  it('reads float16 logits (raw bits) like their float32 values', () => {
    const values = seeded(2000, 9, 30).map((x) => float16ToFloat32(float32ToFloat16(x)));
    const bits = Uint16Array.from(values, float32ToFloat16);
    const half = pickGreedy(bits, 0, 2000);
    const full = pickGreedy(Float32Array.from(values), 0, 2000);
    expect(half.tokenId).toBe(full.tokenId);
    expect(half.logProb).toBeCloseTo(full.logProb, 9);
  });
});

describe('GreedyGraph (the pick run by onnxruntime)', () => {
  let f32: GreedyGraph;
  let f16: GreedyGraph;
  beforeAll(async () => {
    f32 = await GreedyGraph.create('float32', { intraOpThreads: 1 });
    f16 = await GreedyGraph.create('float16', { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await f32?.release();
    await f16?.release();
  });

  it('picks per row from the last position, with the log-softmax of the pick', async () => {
    // [2 rows, 2 positions, 4 ids]: the first position of each row must be ignored.
    const logits = Float32Array.from([9, 0, 0, 0, 0, 2, 1, 0, /* row 1 */ 0, 0, 0, 9, 1, 1, 1, 1]);
    const picks = await f32.pick(new ort.Tensor('float32', logits, [2, 2, 4]));
    expect(picks.map((p) => p.tokenId)).toEqual([1, 0]); // row 1 is a four-way tie: the lowest id
    // Row 0: 2 - log(e^0 + e^2 + e^1 + e^0) = -0.5514...; row 1: log(1/4).
    expect(picks[0]!.logProb).toBeCloseTo(2 - Math.log(2 + Math.exp(2) + Math.exp(1)), 5);
    expect(picks[1]!.logProb).toBeCloseTo(-Math.log(4), 5);
  });

  it('matches the JavaScript pick on a full-size vocabulary row, float32 and float16', async () => {
    const vocab = 128_256;
    const values = seeded(vocab * 3, 11, 30).map((x) => float16ToFloat32(float32ToFloat16(x)));
    const full = await f32.pick(new ort.Tensor('float32', Float32Array.from(values), [3, 1, vocab]));
    const half = await f16.pick(new ort.Tensor('float16', Uint16Array.from(values, float32ToFloat16), [3, 1, vocab]));
    for (let row = 0; row < 3; row++) {
      const reference = pickGreedy(Float32Array.from(values), row * vocab, vocab);
      expect(full[row]!.tokenId).toBe(reference.tokenId);
      expect(half[row]!.tokenId).toBe(reference.tokenId);
      expect(full[row]!.logProb).toBeCloseTo(reference.logProb, 4);
      expect(half[row]!.logProb).toBeCloseTo(reference.logProb, 4);
    }
  });
});

describe('float16', () => {
  it('round-trips representable values and rounds to nearest', () => {
    for (const v of [0, 1, -2.5, 65504, 2 ** -14, 2 ** -24, 0.1]) {
      expect(Math.abs(float16ToFloat32(float32ToFloat16(v)) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    }
    expect(float32ToFloat16(1)).toBe(0x3c00);
    expect(float32ToFloat16(-2)).toBe(0xc000);
    expect(float16ToFloat32(0x7c00)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('TextStream', () => {
  it('holds back an incomplete multi-byte character until it is complete', () => {
    // A decoder over byte tokens: each id is one UTF-8 byte.
    const decoder = { decode: (ids: number[]) => Buffer.from(ids).toString('utf8') };
    const stream = new TextStream(decoder);
    const bytes = [...Buffer.from('a€b', 'utf8')]; // € is 3 bytes
    const deltas = bytes.map((b) => stream.push(b));
    expect(deltas).toEqual(['a', '', '', '€', 'b']);
    expect(deltas.join('')).toBe('a€b');
  });

  it('decodes a bounded window per token, not the whole prefix', () => {
    const lengths: number[] = [];
    const decoder = { decode: (ids: number[]) => (lengths.push(ids.length), ids.map((i) => String.fromCharCode(97 + (i % 26))).join('')) };
    const stream = new TextStream(decoder);
    const text = Array.from({ length: 200 }, (_, i) => stream.push(i)).join('');
    expect(text).toBe(decoder.decode(Array.from({ length: 200 }, (_, i) => i)));
    expect(Math.max(...lengths.slice(0, -1))).toBeLessThanOrEqual(2);
  });
});
