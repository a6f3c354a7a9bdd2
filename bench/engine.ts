/**
 * duet's in-process ONNX engine vs transformers.js on the same model folder, same prompt,
 * greedy, a fixed number of new tokens (stop ids ignored on both sides), at batch 1 and 8.
 * Prints tokens/s and prefill time of each and their ratios (measured in this one run).
 *
 * --dtype q4 runs the q4 folder (models/demo-small-q4 from make-demo-models --dtype q4, its
 * onnx/model_q4.onnx) on both sides (transformers.js dtype 'q4' loads the same file).
 *
 *   npm run bench:engine -- [--model models/demo-small] [--dtype fp32|q4] [--tokens 128] [--threads 2] [--repeats 2]
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Tokenizer } from '@huggingface/tokenizers';
import { OnnxGenerator } from '../source/core/engines/onnx/generator.js';
import { report } from './lib/report.js';
import { alternate, formatRatio, type Timing } from './lib/timing.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    dtype: { type: 'string', default: 'fp32' },
    tokens: { type: 'string', default: '128' },
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '2' },
    batch: { type: 'string', default: '8' },
  },
});
if (values.dtype !== 'fp32' && values.dtype !== 'q4') {
  console.error(`--dtype ${values.dtype}: expected fp32 or q4`);
  process.exit(2);
}
const dtype = values.dtype;
const dir = resolve(values.model ?? (dtype === 'q4' ? 'models/demo-small-q4' : 'models/demo-small'));
const newTokens = Number(values.tokens);
const threads = Number(values.threads);
const repeats = Number(values.repeats);
const bigBatch = Number(values.batch);

if (!existsSync(join(dir, 'config.json'))) {
  console.error(`${dir}: no model folder here; run \`node bin/duet.js make-demo-models${dtype === 'q4' ? ' --dtype q4' : ''}\` first (or pass --model DIR)`);
  process.exit(1);
}

// A SQuAD-like prompt in the Llama 3 chat format, tokenised once with the folder's tokenizer: both engines get these ids.
const tokenizer = new Tokenizer(
  JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as object,
  JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as object,
);
const promptText =
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nContext: The Normans were the people who in the 10th and 11th ' +
  'centuries gave their name to Normandy, a region in France. They were descended from Norse raiders and pirates from ' +
  'Denmark, Iceland and Norway.\nQuestion: In what country is Normandy located?\nAnswer with a short span from the context.' +
  '<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
const promptIds = tokenizer.encode(promptText, { add_special_tokens: false }).ids;

console.log(`model ${dir}, prompt ${promptIds.length} tokens, ${newTokens} new tokens (stop ids ignored), ${threads} threads, best of ${repeats}`);

// ---- duet ----
const duet = await OnnxGenerator.load(dir, { intraOpThreads: threads });
async function duetRun(batch: number, tokens: number): Promise<Timing> {
  const start = performance.now();
  const results = await duet.generateBatch(Array.from({ length: batch }, () => promptIds), { maxNewTokens: tokens, ignoreStop: true });
  const ms = performance.now() - start;
  const generated = results.reduce((sum, r) => sum + r.outputTokens, 0);
  if (generated !== batch * tokens) throw new Error(`duet generated ${generated} tokens, expected ${batch * tokens}`);
  return { ms, tokens: generated };
}

// ---- transformers.js ----
const transformers = await import('@huggingface/transformers');
transformers.env.allowRemoteModels = false;
transformers.env.localModelPath = dirname(dir);
const model = await transformers.AutoModelForCausalLM.from_pretrained(basename(dir), {
  local_files_only: true,
  dtype,
  device: 'cpu',
  session_options: { intraOpNumThreads: threads },
});
function inputs(batch: number) {
  const ids = BigInt64Array.from({ length: batch * promptIds.length }, (_, i) => BigInt(promptIds[i % promptIds.length]!));
  return {
    input_ids: new transformers.Tensor('int64', ids, [batch, promptIds.length]),
    attention_mask: new transformers.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [batch, promptIds.length]),
  };
}
async function peerRun(batch: number, tokens: number): Promise<Timing> {
  const start = performance.now();
  const output = (await model.generate({ ...inputs(batch), max_new_tokens: tokens, min_new_tokens: tokens, do_sample: false })) as { dims: number[] };
  const ms = performance.now() - start;
  const generated = batch * (output.dims[1]! - promptIds.length);
  if (generated !== batch * tokens) throw new Error(`transformers.js generated ${generated} tokens, expected ${batch * tokens}`);
  return { ms, tokens: generated };
}
// Warm-up: onnxruntime plans memory per input shape, so the first runs of each shape are slow (both sides get the same).
for (const batch of [1, 1, 1, bigBatch]) {
  await duetRun(batch, 4);
  await peerRun(batch, 4);
}
// Each measurement alternates duet and transformers.js, so both see the same background load on shared cores.
const [duetPrefill, peerPrefill] = await alternate(repeats, () => duetRun(1, 1), () => peerRun(1, 1));
const [duet1, peer1] = await alternate(repeats, () => duetRun(1, newTokens), () => peerRun(1, newTokens));
const [duetN, peerN] = await alternate(repeats, () => duetRun(bigBatch, newTokens), () => peerRun(bigBatch, newTokens));
await duet.release();
await model.dispose();

// ---- report ----
const rate = (t: Timing) => (t.tokens / t.ms) * 1000;
const rows: Array<[string, string, string, string]> = [
  ['', 'duet', 'transformers.js', 'duet speed / peer'],
  ['prefill ms (1 token)', duetPrefill.ms.toFixed(1), peerPrefill.ms.toFixed(1), formatRatio(peerPrefill.ms / duetPrefill.ms)],
  ['batch 1 tokens/s', rate(duet1).toFixed(1), rate(peer1).toFixed(1), formatRatio(rate(duet1) / rate(peer1))],
  [`batch ${bigBatch} tokens/s`, rate(duetN).toFixed(1), rate(peerN).toFixed(1), formatRatio(rate(duetN) / rate(peerN))],
  [`batch ${bigBatch} / batch 1`, formatRatio(rate(duetN) / rate(duet1)), formatRatio(rate(peerN) / rate(peer1)), ''],
];
const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
const goals = [
  [`duet >= 1.3x transformers.js at batch 1`, rate(duet1) >= 1.3 * rate(peer1)],
  [`duet >= 2x transformers.js at batch ${bigBatch}`, rate(duetN) >= 2 * rate(peerN)],
  [`duet batch ${bigBatch} >= 3x batch 1`, rate(duetN) >= 3 * rate(duet1)],
] as const;
for (const [goal, met] of goals) console.log(`${met ? 'met ' : 'MISSED'}  ${goal}`);

// For bench/all.ts (env DUET_BENCH_JSON): the same figures as JSON, nothing more printed.
const tag = dtype === 'q4' ? 'engine (q4)' : 'engine';
const ratio1 = rate(duet1) / rate(peer1);
const ratioN = rate(duetN) / rate(peerN);
const prefillRatio = peerPrefill.ms / duetPrefill.ms;
report(
  {
    bench: 'engine',
    figures: [
      // Goals: duet's batching should pay where transformers.js's does not (1.3x alone, 2x batched).
      { name: `${tag}: duet / transformers.js tokens/s, batch 1`, measured: ratio1, unit: 'x', goal: '>= 1.3x', pass: ratio1 >= 1.3 },
      { name: `${tag}: duet / transformers.js tokens/s, batch ${bigBatch}`, measured: ratioN, unit: 'x', goal: '>= 2x', pass: ratioN >= 2 },
      { name: `${tag}: transformers.js / duet prefill time`, measured: prefillRatio, unit: 'x', goal: '>= 1x', pass: prefillRatio >= 1 },
      { name: `${tag}: duet batch ${bigBatch} / batch 1 tokens/s`, measured: rate(duetN) / rate(duet1), unit: 'x', goal: '>= 3x', pass: rate(duetN) >= 3 * rate(duet1) },
      { name: `${tag}: transformers.js batch ${bigBatch} / batch 1 tokens/s`, measured: rate(peerN) / rate(peer1), unit: 'x' },
    ],
    absolute: {
      promptTokens: promptIds.length,
      newTokens,
      duetBatch1TokensPerS: rate(duet1),
      peerBatch1TokensPerS: rate(peer1),
      duetBatchNTokensPerS: rate(duetN),
      peerBatchNTokensPerS: rate(peerN),
      duetPrefillMs: duetPrefill.ms,
      peerPrefillMs: peerPrefill.ms,
    },
    notes: [],
  },
  { print: false },
);
