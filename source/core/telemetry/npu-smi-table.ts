/**
 * Pure parser of the `npu-smi info` table (no I/O). Layouts seen in the wild:
 * - 910/910B: `NPU Name | Health | Power Temp Hugepages` over `Chip | Bus-Id | AICore Memory HBM`;
 * - Atlas A3: the chip row is `Chip Phy-ID`, two dies per card, the second die's power `-`;
 * - 310 family: `Chip Device`, no HBM column (memory is DDR);
 * - 950-class: separate `NPU ID | Name` cells and an empty first cell on the chip row.
 * Column widths, padding and `a / b` spacing differ between driver versions, so rows are
 * split on `|` and tokens, never on character positions.
 */

export interface NpuProcess {
  pid: number;
  name?: string;
  memMiB?: number;
}

export interface NpuChip {
  card: number;
  chip: number;
  name?: string;
  health?: string;
  busId?: string;
  /** A3: physical die id (what ASCEND_RT_VISIBLE_DEVICES counts). */
  phyId?: number;
  /** 310 family: the logical device id. */
  deviceId?: number;
  powerW?: number;
  tempC?: number;
  utilPct?: number;
  /** HBM when the table has an HBM column, else the chip's (DDR) memory. */
  memUsedMiB?: number;
  memTotalMiB?: number;
  /** Present only when the output had a process table (then [] means none). */
  processes?: NpuProcess[];
}

export interface NpuInfoTable {
  version?: string;
  chips: NpuChip[];
}

interface Layout {
  /** 950-class: the card id and the name have cells of their own. */
  separateIdCell: boolean;
  healthIndex: number;
  nameIndex: number;
  chipColumns: string[];
  hasHbm: boolean;
}

interface ProcessColumns {
  pidIndex: number;
  nameIndex: number;
  memIndex: number;
}

type CardRow = Pick<NpuChip, 'card' | 'name' | 'health' | 'powerW' | 'tempC'>;

/** A number, or undefined for `NA`, `-`, `N/A` and anything else that is not one. */
export function numberOrAbsent(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : undefined;
}

function cellsOf(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return undefined;
  return trimmed.replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim());
}

/** `1873 / 15077`, `20687/ 65536` and `5239  / 131072` all become one `used/total` token. */
function metricTokens(cell: string | undefined): string[] {
  return (cell ?? '').replace(/\s*\/\s*/g, '/').split(/\s+/).filter(Boolean);
}

function usage(token: string | undefined): { used?: number; total?: number } {
  const [used, total] = (token ?? '').split('/');
  const totalMiB = numberOrAbsent(total);
  // A 0 total means the chip reports no such memory (A3 prints DDR as 0 / 0).
  if (totalMiB === undefined || totalMiB === 0) return {};
  return { used: numberOrAbsent(used), total: totalMiB };
}

function tokens(cell: string | undefined): string[] {
  return (cell ?? '').split(/\s+/).filter(Boolean);
}

const isInteger = (token: string) => /^\d+$/.test(token);

function readLayout(first: string[], second: string[]): Layout {
  const separateIdCell = /^NPU\s+ID$/i.test(first[0] ?? '');
  const healthIndex = Math.max(1, first.findIndex((cell) => /^Health$/i.test(cell)));
  return {
    separateIdCell,
    healthIndex,
    nameIndex: separateIdCell ? Math.max(1, first.findIndex((cell) => /^Name$/i.test(cell))) : 0,
    chipColumns: separateIdCell ? [] : tokens(second[0]),
    hasHbm: /HBM-Usage/i.test(second[second.length - 1] ?? ''),
  };
}

function readCardRow(cells: string[], layout: Layout): CardRow | undefined {
  const idTokens = tokens(cells[0]);
  if (idTokens.length === 0 || !isInteger(idTokens[0]!)) return undefined;
  const name = layout.separateIdCell ? cells[layout.nameIndex] : idTokens.slice(1).join(' ');
  const [power, temp] = metricTokens(cells[cells.length - 1]);
  const health = cells[layout.healthIndex];
  return {
    card: Number(idTokens[0]),
    ...(name ? { name } : {}),
    ...(health && health !== 'NA' && health !== '-' ? { health } : {}),
    ...optional('powerW', numberOrAbsent(power)),
    ...optional('tempC', numberOrAbsent(temp)),
  };
}

/** A chip row carries only integers (or nothing, on 950-class) where the card row has its name. */
function isChipRow(cells: string[], layout: Layout): boolean {
  if (layout.separateIdCell) return cells[0] === '' && (cells[layout.nameIndex] ?? '') === '';
  const idTokens = tokens(cells[0]);
  return idTokens.length > 0 && idTokens.every(isInteger);
}

function readChipRow(card: CardRow, cells: string[], layout: Layout): NpuChip {
  const ids = tokens(cells[0]).map(Number);
  const columnValue = (pattern: RegExp) => {
    const index = layout.chipColumns.findIndex((column) => pattern.test(column));
    return index >= 0 ? ids[index] : undefined;
  };
  const [aicore, memory, hbm] = metricTokens(cells[cells.length - 1]);
  const mem = usage(layout.hasHbm ? hbm : memory);
  const busId = cells[layout.healthIndex];
  return {
    ...card,
    chip: columnValue(/^Chip$/i) ?? 0,
    ...optional('phyId', columnValue(/^Phy-?ID$/i)),
    ...optional('deviceId', columnValue(/^Device$/i)),
    ...(busId && busId !== 'NA' && busId !== '-' ? { busId } : {}),
    ...optional('utilPct', numberOrAbsent(aicore)),
    ...optional('memUsedMiB', mem.used),
    ...optional('memTotalMiB', mem.total),
  };
}

function readProcessColumns(cells: string[]): ProcessColumns | undefined {
  const pidIndex = cells.findIndex((cell) => /^Process id$/i.test(cell));
  if (pidIndex < 0) return undefined;
  return {
    pidIndex,
    nameIndex: cells.findIndex((cell) => /^Process name$/i.test(cell)),
    memIndex: cells.findIndex((cell) => /^Process memory/i.test(cell)),
  };
}

function addProcess(chips: NpuChip[], cells: string[], columns: ProcessColumns): void {
  const pid = numberOrAbsent(cells[columns.pidIndex]);
  const [card, chip] = cells.slice(0, columns.pidIndex).flatMap(tokens).map(numberOrAbsent);
  if (pid === undefined || card === undefined) return;
  const onCard = chips.filter((c) => c.card === card);
  const target = onCard.find((c) => c.chip === (chip ?? 0)) ?? onCard[0];
  if (!target) return;
  const name = columns.nameIndex >= 0 ? cells[columns.nameIndex] : undefined;
  const memMiB = columns.memIndex >= 0 ? numberOrAbsent(cells[columns.memIndex]) : undefined;
  (target.processes ??= []).push({ pid, ...(name ? { name } : {}), ...optional('memMiB', memMiB) });
}

export function parseNpuSmiInfo(text: string): NpuInfoTable {
  const chips: NpuChip[] = [];
  let version: string | undefined;
  let firstHeader: string[] | undefined;
  let layout: Layout | undefined;
  let pendingCard: CardRow | undefined;
  let processColumns: ProcessColumns | undefined;
  let processTable = false;

  for (const line of text.split(/\r?\n/)) {
    const cells = cellsOf(line);
    if (!cells) continue;
    const joined = cells.join(' ');
    const versionMatch = /^npu-smi\s+(\S+)/i.exec(cells[0] ?? '');
    if (versionMatch) {
      version = versionMatch[1];
      continue;
    }
    const none = /No running processes found in NPU\s+(\d+)/i.exec(joined);
    if (none) {
      processTable = true;
      continue;
    }
    const columns = readProcessColumns(cells);
    if (columns) {
      processColumns = columns;
      processTable = true;
      continue;
    }
    if (processColumns) {
      addProcess(chips, cells, processColumns);
      continue;
    }
    if (/^NPU\b/i.test(cells[0] ?? '') && cells.some((cell) => /^Health$/i.test(cell))) {
      firstHeader = cells;
      continue;
    }
    if (firstHeader && cells.some((cell) => /^Bus-Id$/i.test(cell))) {
      layout = readLayout(firstHeader, cells);
      continue;
    }
    if (!layout) continue;
    if (pendingCard && isChipRow(cells, layout)) {
      chips.push(readChipRow(pendingCard, cells, layout));
      pendingCard = undefined;
    } else {
      pendingCard = readCardRow(cells, layout);
    }
  }
  if (processTable) for (const chip of chips) chip.processes ??= [];
  return { ...(version ? { version } : {}), chips };
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
