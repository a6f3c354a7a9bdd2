import type { DeviceReading } from './sample.js';

/** The fields asked of nvidia-smi, in this order. */
export const nvidiaSmiQuery = ['index', 'name', 'power.draw', 'utilization.gpu', 'memory.used', 'memory.total', 'temperature.gpu'] as const;

/** `[N/A]`, `[Not Supported]`, `N/A`, empty: absent, never 0. */
function value(text: string | undefined): number | undefined {
  const trimmed = (text ?? '').trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * Parses `nvidia-smi --query-gpu=<nvidiaSmiQuery> --format=csv,noheader,nounits`.
 * The name sits between the index and five numbers, so a name with a comma survives.
 */
export function parseNvidiaSmi(text: string): DeviceReading[] {
  const readings: DeviceReading[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < nvidiaSmiQuery.length) continue;
    const index = value(fields[0]);
    if (index === undefined || !Number.isInteger(index)) continue;
    const [powerW, utilPct, memUsedMiB, memTotalMiB, tempC] = fields.slice(-5).map(value);
    const name = fields.slice(1, -5).join(', ');
    const reading: DeviceReading = { id: `gpu${index}`, card: index };
    if (name && !/^\[.*\]$/.test(name)) reading.name = name;
    Object.assign(reading, Object.fromEntries(Object.entries({ powerW, utilPct, memUsedMiB, memTotalMiB, tempC }).filter(([, v]) => v !== undefined)));
    readings.push(reading);
  }
  return readings;
}
