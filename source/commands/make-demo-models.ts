import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ensureDemoModels } from '../core/engines/onnx/demo/ensure.js';
import { SYNTHETIC_NOTICE } from '../core/engines/onnx/demo/hf-files.js';
import { DEMO_DTYPES, demoSpecIn, demoSpecs, type DemoDtype, type DemoModelSpec } from '../core/engines/onnx/demo/spec.js';
import { errorMessage, UsageError, UserError } from '../core/errors.js';
import { defineCommand } from './command.js';

const help = `  Usage
    $ duet make-demo-models [flags]

  Writes demo-small and demo-large: Llama-architecture ONNX models with seeded synthetic
  weights and the real Llama 3 vocabulary, in Hugging Face folder layout. Folders that are
  already current are kept.

  Flags
    --out DIR       where the model folders go (default: models)
    --dtype TYPE    fp32 (default: onnx/model.onnx), fp16 (onnx/model_fp16.onnx: float16
                    weights, KV cache and logits), q4 (onnx/model_q4.onnx: MatMulNBits 4-bit
                    blocks of 32, float32 activations) or q4f16 (onnx/model_q4f16.onnx: the
                    same with float16 activations): the layouts and file names of the
                    onnx-community exports. Other dtypes go to demo-small-<dtype> and
                    demo-large-<dtype>.
    --force         rebuild even if the folders are current
`;

const STAGE_LABELS: Record<string, string> = {
  weights: 'generating weights',
  write: 'writing the onnx model',
  calibrate: 'calibrating end-of-turn bias',
  files: 'writing config and tokenizer',
};

/** A text progress bar on a terminal (redrawn in place), plain lines at 25% steps otherwise. */
function progressPrinter(stream: NodeJS.WriteStream): (model: string, stage: string, fraction: number) => void {
  let lastKey = '';
  let lastQuarter = -1;
  let lastDraw = 0;
  return (model, stage, fraction) => {
    const key = `${model}/${stage}`;
    const label = `${model}: ${STAGE_LABELS[stage] ?? stage}`;
    const percent = Math.round(fraction * 100);
    if (stream.isTTY) {
      const now = Date.now();
      if (key === lastKey && fraction < 1 && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round(fraction * width);
      stream.write(`\r\x1b[2K${label.padEnd(48)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%`);
      if (fraction >= 1) stream.write('\n');
      lastKey = key;
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (key === lastKey && quarter === lastQuarter) return;
    lastKey = key;
    lastQuarter = quarter;
    stream.write(`${label} ${percent}%\n`);
  };
}

/** The two demo specs in `dtype`: fp32 keeps their names, other dtypes get a suffix (demo-small-q4). */
function demoSpecsOf(dtype: string): DemoModelSpec[] {
  if (!DEMO_DTYPES.includes(dtype as DemoDtype)) throw new UsageError(`--dtype ${dtype}: expected one of ${DEMO_DTYPES.join(', ')}`);
  return Object.values(demoSpecs).map((spec) => demoSpecIn(spec, dtype as DemoDtype));
}

export const command = defineCommand({
  name: 'make-demo-models',
  summary: 'generate the synthetic-weight demo models',
  help,
  flags: {
    out: { type: 'string', default: 'models' },
    force: { type: 'boolean', default: false },
    dtype: { type: 'string', default: 'fp32' },
  },
  async run({ flags }) {
    const out = resolve(flags.out);
    const existing = await stat(out).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new UserError(`--out ${flags.out}: expected a folder, found a file`);
    try {
      await mkdir(out, { recursive: true });
    } catch (error) {
      throw new UserError(`--out ${flags.out}: cannot create the folder (${errorMessage(error)})`);
    }
    const specs = demoSpecsOf(flags.dtype);
    const print = progressPrinter(process.stderr);
    const started = performance.now();
    const { created, skipped } = await ensureDemoModels(out, {
      force: flags.force,
      specs,
      onProgress: (model, p) => print(model, p.stage, p.fraction),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const name of created) process.stdout.write(`built ${name} in ${resolve(out, name)}\n`);
    for (const name of skipped) process.stdout.write(`kept ${name} in ${resolve(out, name)} (already current; --force rebuilds)\n`);
    process.stdout.write(`demo models ready in ${out} (${seconds} s). ${SYNTHETIC_NOTICE}\n`);
    return 0;
  },
});
