import { nvidiaSmiQuery, parseNvidiaSmi } from './nvidia-smi-parse.js';
import { firstLine, runTool } from './runner.js';
import type { SourceConfig, SourceSample, TelemetryDeps, TelemetrySource } from './source.js';

export function nvidiaSmiSource(config: SourceConfig, deps: Pick<TelemetryDeps, 'run'>): TelemetrySource {
  const tool = { file: config.nvidiaSmiPath, label: 'nvidia-smi', setting: 'telemetry.nvidiaSmiPath' };
  const args = [`--query-gpu=${nvidiaSmiQuery.join(',')}`, '--format=csv,noheader,nounits'];

  async function sample(): Promise<SourceSample> {
    const text = await runTool(deps.run, tool, args, config.timeoutMs);
    const all = parseNvidiaSmi(text);
    if (all.length === 0) throw new Error(`nvidia-smi printed no GPU: ${firstLine(text) ?? 'empty output'}`);
    const wanted = config.devices;
    const devices = wanted ? all.filter((d) => d.card !== undefined && wanted.includes(d.card)) : all;
    if (devices.length === 0) throw new Error(`nvidia-smi shows no GPU ${wanted!.join(', ')}`);
    return { devices };
  }

  return {
    name: 'nvidia-smi',
    probe: async () => {
      await sample();
    },
    sample,
  };
}
