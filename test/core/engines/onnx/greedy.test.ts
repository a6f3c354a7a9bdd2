import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16 } from '../../../../source/core/engines/onnx/float16.js';
import { pickGreedy } from '../../../../source/core/engines/onnx/greedy.js';
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
