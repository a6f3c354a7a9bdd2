import { defaultProbes, exitCodeOf, formatResults, runDoctor, wantsColor } from '../core/doctor/index.js';
import { defineCommand } from './command.js';

const help = `  Usage
    $ duet doctor [--profile PATH]

  Checks what a run needs and prints one line per check, with a fix for each problem:
  Node version, onnxruntime backends, the profile, each model (files, ONNX inputs, a
  session load; attached servers must answer, launched servers need a free port),
  the tokenizer, the dataset, power sources (npu-smi, nvidia-smi, RAPL) and the log
  folder. Power sources are optional: their absence is a warning.

  Flags
    --profile PATH   YAML profile (default: profiles/default.yaml)

  Exit status: 0 when every required check passes, 1 otherwise. NO_COLOR is respected.
`;

export const command = defineCommand({
  name: 'doctor',
  summary: 'check what a run needs, with a fix for each problem',
  help,
  flags: { profile: { type: 'string' } },
  async run({ flags }) {
    const results = await runDoctor(defaultProbes(), flags.profile ? { profile: flags.profile } : {});
    process.stdout.write(formatResults(results, wantsColor(process.stdout, process.env)));
    return exitCodeOf(results);
  },
});
