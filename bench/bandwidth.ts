/**
 * Against the hardware limit. Batch-1 decode is memory-bound: every token reads all the
 * weights once (the tied embedding doubles as the LM head, so all of model.onnx counts).
 * Achieved weight bandwidth = EngineInfo.weightBytes x decode tokens/s, divided by this
 * machine's memory copy bandwidth, measured in the same run by Buffer.copy of a 256 MB
 * buffer, counted read + write (2 x 256 MB per copy, the convention of DESIGN.md's
 * ~19 GB/s). Copy and decode are measured alternately, best of --repeats each.
 * Decode tokens/s excludes prefill: (N+1 tokens - 1 token) / N, stop ids ignored.
 * Goal: >= 50% (the rest is compute, cache misses and onnxruntime's per-step overhead).
 *
 *   npm run bench:bandwidth -- [--model models/demo-small] [--tokens 128] [--repeats 3] [--threads 2] [--copy-mb 256]
 */
import { parseArgs } from 'node:util';
import { OnnxGenerator } from '../source/core/engines/onnx/generator.js';
import { modelDir, requireModel } from './lib/env.js';
import { report } from './lib/report.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: modelDir('demo-small') },
    tokens: { type: 'string', default: '128' },
    repeats: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    'copy-mb': { type: 'string', default: '256' },
  },
});
const tokens = Number(values.tokens);
const repeats = Number(values.repeats);
const copyBytes = Number(values['copy-mb']) * 2 ** 20;

/** Read + write bytes per second of one Buffer.copy (memcpy) of `copyBytes`. */
function copyBandwidth(source: Buffer, target: Buffer): number {
  const start = performance.now();
  source.copy(target);
  const s = (performance.now() - start) / 1000;
  return (2 * copyBytes) / s;
}

const generator = await OnnxGenerator.load(requireModel(values.model), { intraOpThreads: Number(values.threads) });
const weightBytes = generator.info().weightBytes;
if (!weightBytes) throw new Error(`${values.model}: the engine reports no weightBytes`);
// A short prompt: decode, not prefill, is what this measures.
const prompt = Array.from({ length: 16 }, (_, i) => 1000 + i * 37);
const timed = async (n: number) => {
  const start = performance.now();
  await generator.generate(prompt, { maxNewTokens: n, ignoreStop: true });
  return performance.now() - start;
};
await timed(8); // warm-up

const source = Buffer.alloc(copyBytes, 1); // alloc, not allocUnsafe: pages touched before timing
const target = Buffer.alloc(copyBytes);
copyBandwidth(source, target); // warm-up
let bestCopy = 0;
let bestDecode = 0;
for (let i = 0; i < repeats; i++) {
  bestCopy = Math.max(bestCopy, copyBandwidth(source, target));
  const one = await timed(1);
  const many = await timed(tokens + 1);
  bestDecode = Math.max(bestDecode, (tokens / (many - one)) * 1000);
}
await generator.release();

const achieved = weightBytes * bestDecode;
const fraction = achieved / bestCopy;
const gb = (bytesPerS: number) => `${(bytesPerS / 1e9).toFixed(1)} GB/s`;
console.log(`${values.model}: ${(weightBytes / 1e6).toFixed(0)} MB of weights, batch-1 decode ${bestDecode.toFixed(1)} tokens/s -> ${gb(achieved)} of weights read`);
console.log(`memory copy (Buffer.copy ${values['copy-mb']} MB, read + write): ${gb(bestCopy)}`);
report({
  bench: 'bandwidth',
  figures: [{ name: 'batch-1 decode weight bandwidth / memory copy bandwidth', measured: fraction, unit: '%', goal: '>= 50%', pass: fraction >= 0.5 }],
  absolute: { weightBytes, decodeTokensPerS: bestDecode, achievedBytesPerS: achieved, copyBytesPerS: bestCopy, copyBufferBytes: copyBytes },
  notes: ['copy bandwidth counts read + write (2 x buffer size per copy); weights count every byte of model.onnx once per token'],
});
