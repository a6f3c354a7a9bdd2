/**
 * Against the hardware limit. Batch-1 decode is memory-bound: every token reads all the
 * weights once (the tied embedding doubles as the LM head, so all of model.onnx counts).
 * Achieved weight bandwidth = bytes read per token x decode tokens/s, divided by this
 * machine's read bandwidth as onnxruntime itself achieves it: a ReduceSum over a 256 MB
 * float32 tensor ([rows, 65536] summed along the rows, so every thread streams its own
 * rows) with the same thread count as the model. Buffer.copy of the same size (read +
 * write, DESIGN.md's convention) is printed too. Measured alternately, best of --repeats.
 * Decode tokens/s excludes prefill: (N+1 tokens - 1 token) / N, stop ids ignored.
 * Goal: >= 80% of onnxruntime's read bandwidth.
 *
 * The other dtypes of the model that exist next to it (models/demo-small-fp16, -q4, -q4f16
 * from make-demo-models --dtype ...) are measured in the same alternation: their decode
 * tokens/s over fp32's next to the ratio of bytes read per token (quantized variants read
 * their 4-bit blocks and scales; their float16 embedding table serves the input Gather, one
 * row a token, and does not count).
 *
 *   npm run bench:bandwidth -- [--model models/demo-small] [--variants fp16,q4,q4f16] [--tokens 128] [--repeats 3] [--threads 2] [--read-mb 256]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, int } from '../source/core/engines/onnx/demo/graph-builder.js';
import { encodeOnnxModel } from '../source/core/engines/onnx/demo/model-file.js';
import { DataType } from '../source/core/engines/onnx/demo/onnx-proto.js';
import { OnnxGenerator } from '../source/core/engines/onnx/generator.js';
import { threadOptions } from '../source/core/engines/onnx/session.js';
import { modelDir, requireModel } from './lib/env.js';
import { report, type Figure } from './lib/report.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: modelDir('demo-small') },
    variants: { type: 'string', default: 'fp16,q4,q4f16' },
    tokens: { type: 'string', default: '128' },
    repeats: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    'read-mb': { type: 'string', default: '256' },
  },
});
const tokens = Number(values.tokens);
const repeats = Number(values.repeats);
const threads = Number(values.threads);
const COLUMNS = 65_536;
const rows = Math.max(1, Math.round((Number(values['read-mb']) * 2 ** 20) / (4 * COLUMNS)));
const readBytes = rows * COLUMNS * 4;

/** onnxruntime's read bandwidth: one ReduceSum pass over `readBytes` of float32. */
async function readProbe(): Promise<() => Promise<number>> {
  const g = new GraphBuilder();
  const x = g.input({ name: 'x', elemType: DataType.FLOAT, shape: [rows, COLUMNS] });
  g.op('ReduceSum', [x, g.int64([1])], { keepdims: int(0) }, { output: 'sum' });
  g.output({ name: 'sum', elemType: DataType.FLOAT, shape: [rows] });
  // The model's thread settings (threads, no spinning), so both sides run the same pool.
  const session = await ort.InferenceSession.create(encodeOnnxModel(g, { opsetVersion: 17, producerVersion: '1' }), threadOptions({ intraOpThreads: threads }));
  const feeds = { x: new ort.Tensor('float32', new Float32Array(rows * COLUMNS).fill(1), [rows, COLUMNS]) };
  const sum = new ort.Tensor('float32', new Float32Array(rows), [rows]);
  return async () => {
    const start = performance.now();
    await session.run(feeds, { sum });
    return readBytes / ((performance.now() - start) / 1000);
  };
}

function copyBandwidth(source: Buffer, target: Buffer): number {
  const start = performance.now();
  source.copy(target);
  return (2 * source.byteLength) / ((performance.now() - start) / 1000);
}

interface Decoder {
  generator: OnnxGenerator;
  dtype: string;
  dir: string;
  /** Weight bytes one decode step reads. */
  bytesPerToken: number;
  best: number;
}

async function decoder(dir: string): Promise<Decoder> {
  const generator = await OnnxGenerator.load(requireModel(dir), { intraOpThreads: threads });
  const { weightBytes, dtype } = generator.info();
  if (!weightBytes) throw new Error(`${dir}: the engine reports no weightBytes`);
  const { vocab_size: vocab = 0, hidden_size: hidden = 0 } = generator.model.files.config;
  // Quantized: the float16 table of the input Gather is read one row a token, not whole.
  const bytesPerToken = dtype === 'q4' || dtype === 'q4f16' ? weightBytes - vocab * hidden * 2 : weightBytes;
  return { generator, dtype: dtype ?? 'fp32', dir, bytesPerToken, best: 0 };
}

// A short prompt: decode, not prefill, is what this measures.
const prompt = Array.from({ length: 16 }, (_, i) => 1000 + i * 37);
const timed = async (d: Decoder, n: number) => {
  const start = performance.now();
  await d.generator.generate(prompt, { maxNewTokens: n, ignoreStop: true });
  return performance.now() - start;
};

const fp32 = await decoder(values.model);
const variantDirs = values.variants
  .split(',')
  .filter(Boolean)
  .map((dtype) => `${values.model.replace(/\/+$/, '')}-${dtype}`)
  .filter((dir) => existsSync(join(dir, 'config.json')));
const variants: Decoder[] = [];
for (const dir of variantDirs) variants.push(await decoder(dir));
const decoders = [fp32, ...variants];
for (const d of decoders) await timed(d, 8); // warm-up
const probe = await readProbe();
await probe();
const source = Buffer.alloc(readBytes, 1); // alloc, not allocUnsafe: pages touched before timing
const target = Buffer.alloc(readBytes);
copyBandwidth(source, target);
let bestRead = 0;
let bestCopy = 0;
for (let i = 0; i < repeats; i++) {
  bestRead = Math.max(bestRead, await probe());
  bestCopy = Math.max(bestCopy, copyBandwidth(source, target));
  for (const d of decoders) {
    const one = await timed(d, 1);
    const many = await timed(d, tokens + 1);
    d.best = Math.max(d.best, (tokens / (many - one)) * 1000);
  }
}
for (const d of decoders) await d.generator.release();

const achieved = fp32.bytesPerToken * fp32.best;
const fraction = achieved / bestRead;
const gb = (bytesPerS: number) => `${(bytesPerS / 1e9).toFixed(1)} GB/s`;
console.log(`${values.model}: ${(fp32.bytesPerToken / 1e6).toFixed(0)} MB read per token, batch-1 decode ${fp32.best.toFixed(1)} tokens/s -> ${gb(achieved)}`);
console.log(`onnxruntime read bandwidth (ReduceSum over ${(readBytes / 2 ** 20).toFixed(0)} MB, ${threads} threads): ${gb(bestRead)}; Buffer.copy (read + write): ${gb(bestCopy)}`);
const figures: Figure[] = [
  { name: 'batch-1 decode weight bandwidth / onnxruntime read bandwidth', measured: fraction, unit: '%', goal: '>= 80%', pass: fraction >= 0.8 },
  { name: 'batch-1 decode weight bandwidth / memory copy bandwidth (read + write)', measured: achieved / bestCopy, unit: '%' },
];
const absolute: Record<string, number> = {
  weightBytes: fp32.bytesPerToken,
  decodeTokensPerS: fp32.best,
  achievedBytesPerS: achieved,
  ortReadBytesPerS: bestRead,
  copyBytesPerS: bestCopy,
  readBufferBytes: readBytes,
};
for (const v of variants) {
  const speed = v.best / fp32.best;
  const bytes = fp32.bytesPerToken / v.bytesPerToken;
  console.log(`${v.dir}: ${(v.bytesPerToken / 1e6).toFixed(0)} MB read per token, batch-1 decode ${v.best.toFixed(1)} tokens/s (${speed.toFixed(2)}x fp32; bytes ratio ${bytes.toFixed(2)}x)`);
  figures.push(
    { name: `${v.dtype} / fp32 batch-1 decode tokens/s (fp32 / ${v.dtype} bytes read per token: ${bytes.toFixed(2)}x)`, measured: speed, unit: 'x' },
    { name: `${v.dtype} batch-1 decode weight bandwidth / onnxruntime read bandwidth`, measured: (v.bytesPerToken * v.best) / bestRead, unit: '%' },
  );
  Object.assign(absolute, { [`${v.dtype}BytesPerToken`]: v.bytesPerToken, [`${v.dtype}DecodeTokensPerS`]: v.best });
}
report({
  bench: 'bandwidth',
  figures,
  absolute,
  notes: ['weights count every byte of model.onnx once per token (q4: less its float16 Gather table); copy bandwidth counts read + write'],
});
