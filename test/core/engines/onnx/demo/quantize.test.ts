import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, int } from '../../../../../source/core/engines/onnx/demo/graph-builder.js';
import { encodeOnnxModel } from '../../../../../source/core/engines/onnx/demo/model-file.js';
import { DataType } from '../../../../../source/core/engines/onnx/demo/onnx-proto.js';
import { quantizeQ4 } from '../../../../../source/core/engines/onnx/demo/quantize.js';

describe('quantizeQ4 (MatMulNBits layout)', () => {
  it('packs codes low nibble first with scale max|w| / 7, code 8 meaning zero', () => {
    // K = 32 inputs, N = 1 output, stored [in, out]: w[i] = i - 7 for i < 15, else 0; max |w| = 7, so scale 1.
    const w = Float32Array.from({ length: 32 }, (_, i) => (i < 15 ? i - 7 : 0));
    const q = quantizeQ4(w, 32, 1);
    expect(Array.from(q.scales)).toEqual([1]);
    // codes = w + 8: 1, 2, ..., 15, then 8s; byte j holds codes 2j (low) and 2j+1 (high).
    expect(q.blocks[0]).toBe(1 | (2 << 4));
    expect(q.blocks[7]).toBe(15 | (8 << 4));
    expect(q.blocks[15]).toBe(8 | (8 << 4));
  });

  it('onnxruntime MatMulNBits on the packed weight computes x @ dequantized W', async () => {
    const k = 64;
    const n = 3;
    const w = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 5)));
    const q = quantizeQ4(w, k, n);
    const g = new GraphBuilder();
    const x = g.input({ name: 'x', elemType: DataType.FLOAT, shape: [1, k] });
    const attrs = { K: int(k), N: int(n), bits: int(4), block_size: int(32) };
    g.op('MatMulNBits', [x, g.initializer('b', [n, k / 32, 16], q.blocks), g.initializer('s', [n * (k / 32)], q.scales)], attrs, { output: 'y', domain: 'com.microsoft' });
    g.output({ name: 'y', elemType: DataType.FLOAT, shape: [1, n] });
    const session = await ort.InferenceSession.create(encodeOnnxModel(g, { opsetVersion: 17, producerVersion: '1' }));
    const input = Float32Array.from({ length: k }, (_, i) => Math.cos(i));
    const y = (await session.run({ x: new ort.Tensor('float32', input, [1, k]) })).y!.data as Float32Array;
    // The dequantization by hand: code = nibble, value = (code - 8) * scale of its block.
    for (let col = 0; col < n; col++) {
      let expected = 0;
      let exact = 0;
      for (let i = 0; i < k; i++) {
        const byte = q.blocks[(col * k + i) >> 1]!;
        const code = i & 1 ? byte >> 4 : byte & 15;
        expected += input[i]! * (code - 8) * q.scales[col * (k / 32) + (i >> 5)]!;
        exact += input[i]! * w[i * n + col]!;
      }
      expect(y[col]).toBeCloseTo(expected, 3);
      expect(Math.abs(y[col]! - exact)).toBeLessThan(0.1 * Math.abs(exact) + 1); // and quantization error is small
    }
    await session.release();
  });
});

describe('demo spec names per dtype', () => {
  it('maps folder names to the spec and dtype they were built from', async () => {
    const { demoSpecNamed, demoSpecs } = await import('../../../../../source/core/engines/onnx/demo/spec.js');
    expect(demoSpecNamed('demo-small')).toEqual(demoSpecs['demo-small']);
    expect(demoSpecNamed('demo-large-q4')).toEqual({ ...demoSpecs['demo-large'], name: 'demo-large-q4', dtype: 'q4' });
    expect(demoSpecNamed('demo-small-q4f16')?.dtype).toBe('q4f16');
    expect(demoSpecNamed('demo-small-q3')).toBeUndefined();
  });
});
