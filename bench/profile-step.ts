/**
 * Where a decode step's time goes, by operator type: onnxruntime's own profiler
 * (enableProfiling) over --runs decode steps of the model's graph at --batch rows and
 * --past cached tokens, plus the greedy pick (greedy-graph.ts) on the logits. Prints each
 * operator type's share of kernel time. Shares are meaningful on a shared machine;
 * absolute microseconds are not.
 *
 *   npx tsx bench/profile-step.ts -- [--model models/demo-small] [--batch 8] [--past 300] [--runs 30] [--threads 2]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { GreedyGraph } from '../source/core/engines/onnx/greedy-graph.js';
import { readModelFiles } from '../source/core/engines/onnx/model-files.js';
import { describeIO, threadOptions } from '../source/core/engines/onnx/session.js';
import { modelDir, requireModel } from './lib/env.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: modelDir('demo-small') },
    batch: { type: 'string', default: '8' },
    past: { type: 'string', default: '300' },
    runs: { type: 'string', default: '30' },
    threads: { type: 'string', default: '2' },
  },
});
const [batch, past, runs, threads] = [values.batch, values.past, values.runs, values.threads].map(Number) as [number, number, number, number];
const files = readModelFiles(requireModel(values.model));
const folder = mkdtempSync(join(tmpdir(), 'duet-profile-'));
const session = await ort.InferenceSession.create(files.onnxPath, {
  ...threadOptions({ intraOpThreads: threads }),
  graphOptimizationLevel: 'all',
  enableProfiling: true,
  profileFilePrefix: join(folder, 'step'),
});
const io = describeIO(session, files.config, files.onnxPath);
const greedy = await GreedyGraph.create(io.logitsType, { intraOpThreads: threads });
const kv = () => {
  const size = batch * io.kvHeads * past * io.headDim;
  return new ort.Tensor(io.kvType, io.kvType === 'float16' ? new Uint16Array(size) : new Float32Array(size), [batch, io.kvHeads, past, io.headDim]);
};
const feeds: Record<string, ort.Tensor> = {
  input_ids: new ort.Tensor('int64', new BigInt64Array(batch).fill(1000n), [batch, 1]),
  attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * (past + 1)).fill(1n), [batch, past + 1]),
};
if (io.hasPositionIds) feeds.position_ids = new ort.Tensor('int64', new BigInt64Array(batch).fill(BigInt(past)), [batch, 1]);
for (const [key, value] of io.pastNames) [feeds[key], feeds[value]] = [kv(), kv()];
let pickMs = 0;
let stepMs = 0;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const out = await session.run(feeds);
  const t1 = performance.now();
  await greedy.pick(out.logits!);
  const t2 = performance.now();
  stepMs += t1 - t0;
  pickMs += t2 - t1;
}
session.endProfiling();
await new Promise((resolve) => setTimeout(resolve, 100)); // the profile file is written asynchronously
const file = readdirSync(folder).find((f) => f.endsWith('.json'));
const events = JSON.parse(readFileSync(join(folder, file!), 'utf8')) as Array<{ cat: string; name: string; dur: number; args?: { op_name?: string } }>;
rmSync(folder, { recursive: true, force: true });
const byOp = new Map<string, number>();
let total = 0;
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const op = e.args?.op_name ?? '?';
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
  total += e.dur;
}
console.log(`${files.onnxPath}: batch ${batch}, ${past} cached tokens, ${runs} steps, ${threads} threads`);
console.log(`step ${(stepMs / runs).toFixed(2)} ms (kernels ${(total / runs / 1000).toFixed(2)} ms), greedy pick ${(pickMs / runs).toFixed(2)} ms`);
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`${op.padEnd(30)} ${((us / total) * 100).toFixed(1).padStart(5)}%`);
await greedy.release();
await session.release();
