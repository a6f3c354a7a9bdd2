/**
 * Pure parsers of npu-smi's non-table outputs (no I/O): the key/value reports of
 * `npu-smi info -t power|common|usages|temp|memory -i N [-c C]`, `info -l`, `info -m`
 * and one frame of `info watch`. The table of plain `npu-smi info` is in npu-smi-table.ts.
 *
 * Key/value lines are `\t<key padded to 30> : <value>`; documentation often shows spaces
 * instead of the TAB. Blank (or whitespace-only) lines separate chip blocks; `Chip ID` may
 * open a block or close it (usages prints it last); an `MCU` block may carry board power.
 * Unknown keys are kept in `fields` and otherwise ignored.
 */
import { numberOrAbsent } from './npu-smi-table.js';

export { parseNpuSmiInfo, numberOrAbsent, type NpuChip, type NpuInfoTable, type NpuProcess } from './npu-smi-table.js';

export interface NpuKeyValueBlock {
  chip?: number;
  chipName?: string;
  /** Normalised key (lower case, single spaces, no space before "(") -> raw value. */
  fields: Record<string, string>;
}

export interface NpuKeyValueReport {
  card?: number;
  chipCount?: number;
  blocks: NpuKeyValueBlock[];
}

/** What one key/value block says about a chip (or the board's MCU). */
export interface NpuChipFields {
  card?: number;
  /** Absent for the MCU block. */
  chip?: number;
  mcu: boolean;
  powerW?: number;
  tempC?: number;
  utilPct?: number;
  memUsedMiB?: number;
  memTotalMiB?: number;
}

export function normaliseKey(key: string): string {
  return key.trim().toLowerCase().replace(/\s+/g, ' ').replace(/ \(/g, '(');
}

export function parseNpuSmiKeyValues(text: string): NpuKeyValueReport {
  const report: NpuKeyValueReport = { blocks: [] };
  let block: NpuKeyValueBlock | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      block = undefined;
      continue;
    }
    const match = /^\s*([^:]+?)\s*:\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const key = normaliseKey(match[1]!);
    const value = match[2]!;
    if (key === 'npu id') report.card = numberOrAbsent(value);
    else if (key === 'chip count') report.chipCount = numberOrAbsent(value);
    else if (key === 'total count') continue;
    else {
      if (!block) report.blocks.push((block = { fields: {} }));
      if (key === 'chip id') {
        const chip = numberOrAbsent(value);
        if (chip !== undefined) block.chip = chip;
      } else if (key === 'chip name') block.chipName = value;
      else block.fields[key] = value;
    }
  }
  return report;
}

function percentOf(capacity: number | undefined, rate: number | undefined): { used?: number; total?: number } {
  if (capacity === undefined || capacity === 0) return {};
  return rate === undefined ? { total: capacity } : { used: Math.round((capacity * rate) / 100), total: capacity };
}

/**
 * Readings per block. Power: `NPU Real-time Power(W)` (910 class), else
 * `Rated Power Dissipation(W)` (what the 310 prints for the same sensor), else
 * `Power Dissipation(W)` (MCU). Memory: `-t usages` gives a percentage of the capacity;
 * HBM wins over DDR when the chip has HBM.
 */
export function chipFieldsOf(report: NpuKeyValueReport): NpuChipFields[] {
  let ordinal = 0;
  return report.blocks.map((block) => {
    const field = (key: string) => numberOrAbsent(block.fields[key]);
    const mcu = /^mcu$/i.test(block.chipName ?? '');
    const chip = block.chip ?? (mcu ? undefined : ordinal);
    if (!mcu) ordinal = (chip ?? ordinal) + 1;
    const hbm = percentOf(field('hbm capacity(mb)'), field('hbm usage rate(%)'));
    const memory = hbm.total !== undefined ? hbm : percentOf(field('ddr capacity(mb)'), field('ddr usage rate(%)'));
    const values: Omit<NpuChipFields, 'mcu'> = {
      card: report.card,
      chip,
      powerW: field('npu real-time power(w)') ?? field('rated power dissipation(w)') ?? field('power dissipation(w)'),
      tempC: field('temperature(c)'),
      utilPct: field('aicore usage rate(%)') ?? field('npu utilization(%)'),
      memUsedMiB: memory.used,
      memTotalMiB: memory.total,
    };
    return { mcu, ...withoutUndefined(values) };
  });
}

export interface NpuListEntry {
  card: number;
  chipCount?: number;
  name?: string;
}

/** `npu-smi info -l`: every `NPU ID` line opens a card entry. */
export function parseNpuSmiList(text: string): NpuListEntry[] {
  const entries: NpuListEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^:]+?)\s*:\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const key = normaliseKey(match[1]!);
    const value = match[2]!;
    const card = numberOrAbsent(value);
    if (key === 'npu id' && card !== undefined) entries.push({ card });
    const entry = entries[entries.length - 1];
    if (!entry) continue;
    if (key === 'chip count' && card !== undefined) entry.chipCount = card;
    if (key === 'name' && value !== '') entry.name = value;
  }
  return entries;
}

export interface NpuMappingEntry {
  card: number;
  chip: number;
  logicId?: number;
  phyId?: number;
  name?: string;
}

/**
 * `npu-smi info -m`: a whitespace-aligned table whose values may contain single spaces
 * (`Ascend 310P3`), so columns are cut at the header's column starts.
 */
export function parseNpuSmiMapping(text: string): NpuMappingEntry[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const headerIndex = lines.findIndex((line) => /NPU ID/i.test(line) && /Chip ID/i.test(line));
  if (headerIndex < 0) return [];
  const header = lines[headerIndex]!.replace(/\t/g, '    ');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: normaliseKey(m[0]), at: m.index! }));
  const entries: NpuMappingEntry[] = [];
  for (const raw of lines.slice(headerIndex + 1)) {
    const line = raw.replace(/\t/g, '    ');
    const value = (name: string) => {
      const i = starts.findIndex((s) => s.name === name);
      if (i < 0) return undefined;
      return line.slice(starts[i]!.at, starts[i + 1]?.at ?? line.length).trim();
    };
    const card = numberOrAbsent(value('npu id'));
    const chip = numberOrAbsent(value('chip id'));
    if (card === undefined || chip === undefined) continue;
    const name = value('chip name');
    entries.push({
      card,
      chip,
      ...withoutUndefined({ logicId: numberOrAbsent(value('chip logic id')), phyId: numberOrAbsent(value('chip phy-id')) }),
      ...(name ? { name } : {}),
    });
  }
  return entries;
}

/** One frame of `npu-smi info watch`: header names end in `(unit)`, values are single tokens. */
export function parseNpuSmiWatch(text: string): NpuChipFields[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const headerIndex = lines.findIndex((line) => /NpuID/i.test(line));
  if (headerIndex < 0) return [];
  const names = (lines[headerIndex]!.match(/[^()]+?\([^)]*\)/g) ?? []).map(normaliseKey);
  const rows: NpuChipFields[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    const values = line.trim().split(/\s+/);
    const field = (name: string) => numberOrAbsent(values[names.indexOf(name)]);
    const card = field('npuid(idx)');
    if (card === undefined) continue;
    rows.push({
      mcu: false,
      card,
      ...withoutUndefined({ chip: field('chipid(idx)'), powerW: field('pwr(w)'), tempC: field('temp(c)'), utilPct: field('ai core(%)') }),
    });
  }
  return rows;
}

function withoutUndefined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
