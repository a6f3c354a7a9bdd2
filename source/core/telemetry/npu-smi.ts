/**
 * The npu-smi source: one `npu-smi info` per sample (all cards, one process), plus
 * `npu-smi info -t power -i N` only for cards whose table shows no power (the 310P
 * prints NA there and reports power on its MCU block). Calls are strictly sequential.
 */
import { chipFieldsOf, parseNpuSmiInfo, parseNpuSmiKeyValues, type NpuChip } from './npu-smi-parse.js';
import { firstLine, runTool } from './runner.js';
import type { DeviceReading } from './sample.js';
import type { SourceConfig, SourceSample, TelemetryDeps, TelemetrySource } from './source.js';

export function npuChipReading(chip: NpuChip): DeviceReading {
  const { card, chip: index, name, health, powerW, utilPct, memUsedMiB, memTotalMiB, tempC, processes } = chip;
  const reading: DeviceReading = { id: `npu${card}.${index}`, card, chip: index };
  Object.assign(reading, Object.fromEntries(Object.entries({ name, health, powerW, utilPct, memUsedMiB, memTotalMiB, tempC, processes }).filter(([, v]) => v !== undefined)));
  return reading;
}

export function npuSmiSource(config: SourceConfig, deps: Pick<TelemetryDeps, 'run'>): TelemetrySource {
  const tool = { file: config.npuSmiPath, label: 'npu-smi', setting: 'telemetry.npuSmiPath in the profile, or --npu-smi for duet telemetry' };
  /** Cards where `-t power` had nothing either: do not ask again every interval. */
  const powerlessCards = new Set<number>();

  async function extraPower(card: number, readings: DeviceReading[]): Promise<void> {
    const text = await runTool(deps.run, tool, ['info', '-t', 'power', '-i', String(card)], config.timeoutMs);
    const blocks = chipFieldsOf(parseNpuSmiKeyValues(text));
    let found = false;
    for (const block of blocks.filter((b) => !b.mcu && b.powerW !== undefined)) {
      const reading = readings.find((r) => r.card === card && r.chip === block.chip);
      if (reading) {
        reading.powerW = block.powerW;
        found = true;
      }
    }
    const mcu = blocks.find((b) => b.mcu && b.powerW !== undefined);
    if (!found && mcu) {
      // Board power, kept as its own device so that it is never added to a chip's power.
      readings.push({ id: `npu${card}.mcu`, card, name: 'MCU', powerW: mcu.powerW! });
      found = true;
    }
    if (!found) powerlessCards.add(card);
  }

  async function sample(): Promise<SourceSample> {
    const text = await runTool(deps.run, tool, ['info'], config.timeoutMs);
    const table = parseNpuSmiInfo(text);
    if (table.chips.length === 0) {
      throw new Error(`npu-smi info printed no NPU table: ${firstLine(text) ?? 'empty output'}`);
    }
    const wanted = config.devices;
    const chips = wanted ? table.chips.filter((c) => wanted.includes(c.card)) : table.chips;
    if (chips.length === 0) {
      const cards = [...new Set(table.chips.map((c) => c.card))].join(', ');
      throw new Error(`npu-smi shows no card ${wanted!.join(', ')} (it has ${cards})`);
    }
    const readings = chips.map(npuChipReading);
    const problems: string[] = [];
    const cards = [...new Set(chips.map((c) => c.card))];
    for (const card of cards) {
      if (powerlessCards.has(card) || readings.some((r) => r.card === card && r.powerW !== undefined)) continue;
      try {
        await extraPower(card, readings);
      } catch (error) {
        powerlessCards.add(card);
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
    return { devices: readings, ...(problems.length > 0 ? { problem: problems.join('; ') } : {}) };
  }

  return {
    name: 'npu-smi',
    probe: async () => {
      await sample();
    },
    sample,
  };
}
