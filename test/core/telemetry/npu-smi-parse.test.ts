import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chipFieldsOf,
  parseNpuSmiInfo,
  parseNpuSmiKeyValues,
  parseNpuSmiList,
  parseNpuSmiMapping,
  parseNpuSmiWatch,
} from '../../../source/core/telemetry/npu-smi-parse.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const shared = path.resolve(repoRoot, '../shared/fixtures/npu-smi');
const ours = path.resolve(repoRoot, 'test/fixtures/npu-smi');
const sharedFile = (name: string) => readFileSync(path.join(shared, name), 'utf8');
const ourFile = (name: string) => readFileSync(path.join(ours, name), 'utf8');

// Parity with outputs captured from real machines, where a checkout has ../shared beside it.
describe.skipIf(!existsSync(shared))('npu-smi parsers on the captured outputs in ../shared/fixtures/npu-smi', () => {
  it('910b-info-1: two masked 910B cards, HBM over DDR, "No running processes" means an empty list', () => {
    const table = parseNpuSmiInfo(sharedFile('910b-info-1.txt'));
    expect(table.version).toBe('24.1.rc2');
    expect(table.chips).toEqual([
      { card: 2, chip: 0, name: 'xxx', health: 'OK', powerW: 64.4, tempC: 51, busId: '0000:01:00.0', utilPct: 0, memUsedMiB: 0, memTotalMiB: 32768, processes: [] },
      { card: 5, chip: 0, name: 'xxx', health: 'OK', powerW: 64, tempC: 52, busId: '0000:81:00.0', utilPct: 0, memUsedMiB: 0, memTotalMiB: 32768, processes: [] },
    ]);
  });

  it('910-info-1: eight cards, HBM column (not the DDR Memory-Usage), no process table', () => {
    const table = parseNpuSmiInfo(sharedFile('910-info-1.txt'));
    expect(table.version).toBe('24.1.0');
    expect(table.chips.map((c) => [c.card, c.chip, c.powerW, c.tempC, c.memUsedMiB, c.memTotalMiB, c.busId])).toEqual([
      [0, 0, 70.0, 34, 1365, 32768, '0000:C1:00.0'],
      [1, 0, 66.9, 34, 4, 32768, '0000:81:00.0'],
      [2, 0, 69.8, 34, 4, 32768, '0000:41:00.0'],
      [3, 0, 67.2, 33, 3, 32768, '0000:01:00.0'],
      [4, 0, 68.9, 33, 3, 32768, '0000:C2:00.0'],
      [5, 0, 66.3, 34, 5, 32768, '0000:82:00.0'],
      [6, 0, 70.1, 34, 5, 32768, '0000:42:00.0'],
      [7, 0, 65.6, 33, 4, 32768, '0000:02:00.0'],
    ]);
    expect(table.chips.every((c) => c.name === '910B' && c.health === 'OK' && c.utilPct === 0)).toBe(true);
    expect(table.chips[0]).not.toHaveProperty('processes');
  });

  it('310p-info-1: power NA stays absent, no HBM column so memory is the DDR pair, Chip Device columns', () => {
    const [chip, ...rest] = parseNpuSmiInfo(sharedFile('310p-info-1.txt')).chips;
    expect(rest).toEqual([]);
    expect(chip).toEqual({ card: 6, chip: 0, deviceId: 0, name: '310P3', health: 'OK', tempC: 50, busId: '0000:84:00.0', utilPct: 0, memUsedMiB: 1839, memTotalMiB: 21525, processes: [] });
    expect(chip).not.toHaveProperty('powerW');
  });

  it('310b-info-1: bus id NA stays absent', () => {
    expect(parseNpuSmiInfo(sharedFile('310b-info-1.txt'))).toEqual({
      version: '23.0.rc3',
      chips: [{ card: 0, chip: 0, deviceId: 0, name: '310B1', health: 'OK', powerW: 10.4, tempC: 66, utilPct: 0, memUsedMiB: 957, memTotalMiB: 10810 }],
    });
  });

  it('910b-common-1: power, temperature and AI-core usage of chip 0', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(sharedFile('910b-common-1.txt')))).toEqual([{ mcu: false, card: 0, chip: 0, powerW: 69.0, tempC: 46, utilPct: 0 }]);
  });

  it('910b-usages-1: HBM from its capacity and percentage (0% of 32768), Chip ID printed last', () => {
    const report = parseNpuSmiKeyValues(sharedFile('910b-usages-1.txt'));
    expect(report.card).toBe(0);
    expect(report.chipCount).toBe(1);
    expect(chipFieldsOf(report)).toEqual([{ mcu: false, card: 0, chip: 0, utilPct: 0, memUsedMiB: 0, memTotalMiB: 32768 }]);
  });

  it('310p-usages-partial-1: DDR only, 4% of 21534 MiB = 861 MiB, no Chip ID (cut short) means chip 0', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(sharedFile('310p-usages-partial-1.txt')))).toEqual([
      { mcu: false, card: 1, chip: 0, utilPct: 0, memUsedMiB: 861, memTotalMiB: 21534 },
    ]);
  });

  it('310b-power-1: the chip has real-time power, the MCU block carries the board power', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(sharedFile('310b-power-1.txt')))).toEqual([
      { mcu: false, card: 0, chip: 0, powerW: 9.1 },
      { mcu: true, card: 0, powerW: 16.9 },
    ]);
  });

  it('310b-power-chip-1: a single key/value line (with -i and -c the card is not printed)', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(sharedFile('310b-power-chip-1.txt')))).toEqual([{ mcu: false, chip: 0, powerW: 9.1 }]);
  });

  it('310b-temp-1: "Temperature (C)" with a space; the MCU sensors are unknown fields and TEC NA', () => {
    const report = parseNpuSmiKeyValues(sharedFile('310b-temp-1.txt'));
    expect(chipFieldsOf(report)).toEqual([
      { mcu: false, card: 0, chip: 0, tempC: 50 },
      { mcu: true, card: 0 },
    ]);
    expect(report.blocks[1]!.fields['lm75a_te(c)']).toBe('41');
  });

  it('310b-watch-1: one frame of watch', () => {
    expect(parseNpuSmiWatch(sharedFile('310b-watch-1.txt'))).toEqual([{ mcu: false, card: 0, chip: 0, powerW: 13.4, tempC: 45, utilPct: 0 }]);
  });

  it('a3-list-1: one card with two chips', () => {
    expect(parseNpuSmiList(sharedFile('a3-list-1.txt'))).toEqual([{ card: 0, chipCount: 2 }]);
  });

  it('310p-mapping-1: names with a space survive, the MCU logic id "-" stays absent', () => {
    expect(parseNpuSmiMapping(sharedFile('310p-mapping-1.txt'))).toEqual([
      { card: 4, chip: 0, logicId: 0, name: 'Ascend 310P3' },
      { card: 4, chip: 1, name: 'Mcu' },
    ]);
  });
});

describe('npu-smi parsers on our own outputs of each layout (test/fixtures/npu-smi)', () => {
  it('910B idle: two cards, HBM (not DDR) is the memory, "No running processes" rows mean an empty list', () => {
    expect(parseNpuSmiInfo(ourFile('910b-idle-info.txt'))).toEqual({
      version: '23.0.6',
      chips: [
        { card: 0, chip: 0, name: '910B4', health: 'OK', powerW: 92.7, tempC: 45, busId: '0000:C1:00.0', utilPct: 3, memUsedMiB: 3356, memTotalMiB: 65536, processes: [] },
        { card: 3, chip: 0, name: '910B4', health: 'OK', powerW: 88.1, tempC: 47, busId: '0000:02:00.0', utilPct: 0, memUsedMiB: 0, memTotalMiB: 65536, processes: [] },
      ],
    });
  });

  it('910: four cards with gaps in the numbering, HBM used glued to its slash, no process table', () => {
    const table = parseNpuSmiInfo(ourFile('910-info.txt'));
    expect(table.version).toBe('22.0.4');
    expect(table.chips.map((c) => [c.card, c.chip, c.health, c.powerW, c.tempC, c.utilPct, c.memUsedMiB, c.memTotalMiB, c.busId])).toEqual([
      [0, 0, 'OK', 103.5, 41, 58, 21874, 32768, '0000:C1:00.0'],
      [1, 0, 'OK', 71.2, 38, 0, 2, 32768, '0000:81:00.0'],
      [4, 0, 'Warning', 69.9, 37, 0, 0, 32768, '0000:C2:00.0'],
      [5, 0, 'OK', 254, 62, 100, 31002, 32768, '0000:82:00.0'],
    ]);
    expect(table.chips.every((c) => c.name === '910A' && !('processes' in c))).toBe(true);
  });

  it('310P: power NA stays absent, the DDR pair is the memory, Chip and Device columns, one process', () => {
    expect(parseNpuSmiInfo(ourFile('310p-info.txt'))).toEqual({
      version: '24.1.rc1',
      chips: [{ card: 2, chip: 0, deviceId: 1, name: '310P3', health: 'OK', tempC: 57, busId: '0000:03:00.0', utilPct: 41, memUsedMiB: 9120, memTotalMiB: 44280, processes: [{ pid: 91234, name: 'mindieservice_d', memMiB: 7150 }] }],
    });
  });

  it('310B: bus id NA stays absent, no process table', () => {
    expect(parseNpuSmiInfo(ourFile('310b-info.txt'))).toEqual({
      version: '23.0.rc1',
      chips: [{ card: 0, chip: 0, deviceId: 0, name: '310B4', health: 'OK', powerW: 8.7, tempC: 59, utilPct: 14, memUsedMiB: 2231, memTotalMiB: 11576 }],
    });
  });

  it('910B -t common: power, temperature and AI-core usage; the HBM rate alone gives no memory figure', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(ourFile('910b-common.txt')))).toEqual([{ mcu: false, card: 4, chip: 0, powerW: 241.6, tempC: 53, utilPct: 73 }]);
  });

  it('910B -t usages: HBM from capacity and rate (25% of 65536 = 16384 MiB), Chip ID printed last', () => {
    const report = parseNpuSmiKeyValues(ourFile('910b-usages.txt'));
    expect([report.card, report.chipCount]).toEqual([4, 1]);
    expect(chipFieldsOf(report)).toEqual([{ mcu: false, card: 4, chip: 0, utilPct: 73, memUsedMiB: 16384, memTotalMiB: 65536 }]);
  });

  it('310P -t usages cut short: DDR only, 21% of 44280 MiB = 9299 MiB (rounded), no Chip ID means chip 0', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(ourFile('310p-usages-partial.txt')))).toEqual([{ mcu: false, card: 2, chip: 0, utilPct: 41, memUsedMiB: 9299, memTotalMiB: 44280 }]);
  });

  it('310B -t power: the chip has real-time power, the MCU block (indented, blank line of spaces) the board power', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(ourFile('310b-power.txt')))).toEqual([
      { mcu: false, card: 0, chip: 0, powerW: 7.8 },
      { mcu: true, card: 0, powerW: 14.2 },
    ]);
    expect(chipFieldsOf(parseNpuSmiKeyValues(ourFile('310b-power-chip.txt')))).toEqual([{ mcu: false, chip: 0, powerW: 7.8 }]);
  });

  it('310B -t temp: "Temperature (C)" with a space; MCU sensors kept as unknown fields, TEC NA', () => {
    const report = parseNpuSmiKeyValues(ourFile('310b-temp.txt'));
    expect(chipFieldsOf(report)).toEqual([
      { mcu: false, card: 0, chip: 0, tempC: 61 },
      { mcu: true, card: 0 },
    ]);
    expect(report.blocks[1]!.fields['lm75b_te(c)']).toBe('39');
  });

  it('watch frame, -l with two cards of two dies, -m with an MCU whose logic id is "-"', () => {
    expect(parseNpuSmiWatch(ourFile('310b-watch.txt'))).toEqual([{ mcu: false, card: 0, chip: 0, powerW: 11.9, tempC: 60, utilPct: 27 }]);
    expect(parseNpuSmiList(ourFile('a3-list.txt'))).toEqual([
      { card: 0, chipCount: 2 },
      { card: 1, chipCount: 2 },
    ]);
    expect(parseNpuSmiMapping(ourFile('310p-mapping.txt'))).toEqual([
      { card: 2, chip: 0, logicId: 0, name: 'Ascend 310P3' },
      { card: 2, chip: 1, logicId: 1, name: 'Ascend 310P3' },
      { card: 2, chip: 2, name: 'Mcu' },
    ]);
  });
});

describe('npu-smi parsers on our own variants (test/fixtures/npu-smi)', () => {
  it('Atlas A3: two dies per card, Phy-ID column, second die power "-", NA values, process table with an extra column', () => {
    const { chips } = parseNpuSmiInfo(ourFile('a3-info.txt'));
    expect(chips).toEqual([
      {
        card: 0, chip: 0, phyId: 0, name: 'Ascend910', health: 'OK', powerW: 182.0, tempC: 36, busId: '0000:9D:00.0', utilPct: 37, memUsedMiB: 59807, memTotalMiB: 65536,
        processes: [{ pid: 1774110, name: 'VLLMWorker_PP', memMiB: 56684 }],
      },
      { card: 0, chip: 1, phyId: 1, name: 'Ascend910', health: 'OK', tempC: 35, busId: '0000:9F:00.0', utilPct: 12, memUsedMiB: 3402, memTotalMiB: 65536, processes: [{ pid: 1777209, name: 'python3', memMiB: 120 }] },
      { card: 2, chip: 0, phyId: 4, name: 'Ascend910', health: 'Warning', tempC: 41, busId: '0000:95:00.0', processes: [] },
      { card: 2, chip: 1, phyId: 5, name: 'Ascend910', health: 'OK', utilPct: 0, memUsedMiB: 3130, memTotalMiB: 65536, processes: [] },
    ]);
  });

  it('950-class: NPU ID and Name in cells of their own, the chip row starting with empty cells', () => {
    expect(parseNpuSmiInfo(ourFile('950-info.txt'))).toEqual({
      version: '25.7.rc1.6',
      chips: [
        { card: 0, chip: 0, name: 'Ascend950PR', health: 'OK', powerW: 195.6, tempC: 56, busId: '0000:61:00.0', utilPct: 23, memUsedMiB: 5239, memTotalMiB: 131072, processes: [] },
        { card: 1, chip: 0, name: 'Ascend950PR', health: 'Alarm', powerW: 310.5, tempC: 88, utilPct: 96, memUsedMiB: 130000, memTotalMiB: 131072, processes: [] },
      ],
    });
  });

  it('910B with two processes on one chip and trailing blanks after the table border', () => {
    const [chip] = parseNpuSmiInfo(ourFile('910b-processes-info.txt')).chips;
    expect(chip).toMatchObject({ card: 1, chip: 0, name: '910B3', powerW: 95.4, utilPct: 100, memUsedMiB: 61234, memTotalMiB: 65536 });
    expect(chip!.processes).toEqual([
      { pid: 4321, name: 'python3', memMiB: 30000 },
      { pid: 4400, name: 'mindie_llm', memMiB: 28000 },
    ]);
  });

  it('TAB-prefixed -t common with two chips: unknown fields ignored, NA and "-" absent (NPU Utilization as fallback)', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(ourFile('common-tabs.txt')))).toEqual([
      { mcu: false, card: 3, chip: 0, powerW: 201.3, tempC: 61, utilPct: 87 },
      { mcu: false, card: 3, chip: 1, utilPct: 12 },
    ]);
  });

  it('310P -t power: the chip has none, the (lower-case) mcu block has the board power', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(ourFile('310p-power-mcu.txt')))).toEqual([
      { mcu: false, card: 6, chip: 0 },
      { mcu: true, card: 6, powerW: 22.5 },
    ]);
  });

  it('-t usages for two dies: 91% of 65536 MiB = 59638 MiB; an NA rate keeps only the capacity', () => {
    expect(chipFieldsOf(parseNpuSmiKeyValues(ourFile('a3-usages-tabs.txt')))).toEqual([
      { mcu: false, card: 0, chip: 0, utilPct: 37, memUsedMiB: 59638, memTotalMiB: 65536 },
      { mcu: false, card: 0, chip: 1, utilPct: 12, memTotalMiB: 65536 },
    ]);
  });

  it('driver errors, empty output and garbage yield no chips (the caller reports the error line)', () => {
    for (const text of [ourFile('error-dcmi.txt'), ourFile('empty.txt'), '%%%% | not | a table |\n+---+\n']) {
      expect(parseNpuSmiInfo(text).chips).toEqual([]);
      expect(chipFieldsOf(parseNpuSmiKeyValues(text))).toEqual([]);
    }
  });
});
