import { Box, Text } from 'ink';
import type { EnergyFigures, PowerView } from '../../core/metrics/snapshot.js';
import type { DeviceReading } from '../../core/telemetry/sample.js';
import { joules, mib, num, pct, sparkline, truncate, watts } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';

export interface PowerPanelProps {
  power: PowerView;
  energy: EnergyFigures;
  width: number;
  compact: boolean;
  maxDevices: number;
}

/** Why there is no power figure, or undefined when there is one. Never a fake zero. */
export function powerUnavailableReason(power: PowerView): string | undefined {
  if (power.powerW !== undefined || power.devices.some((d) => d.powerW !== undefined)) return undefined;
  const bad = power.status.filter((s) => s.state !== 'ok');
  if (bad.length > 0) return bad.map((s) => `${s.source}: ${s.reason ?? s.state}`).join('; ');
  if (power.status.length > 0) return `${power.status.map((s) => s.source).join(', ')} gives no power reading`;
  return power.samples > 0 ? 'no device reports power' : 'no telemetry source';
}

export const POWER_NA = 'power n/a (? says why)';

export function deviceLine(d: DeviceReading): string {
  const parts = [d.name ? `${d.id} ${d.name}` : d.id];
  if (d.powerW !== undefined) parts.push(watts(d.powerW));
  if (d.utilPct !== undefined) parts.push(`util ${pct(d.utilPct, 0)}`);
  if (d.memUsedMiB !== undefined || d.memTotalMiB !== undefined) parts.push(`mem ${mib(d.memUsedMiB)}/${mib(d.memTotalMiB)}`);
  if (d.tempC !== undefined) parts.push(`${d.tempC.toFixed(0)}°C`);
  if (d.health && d.health !== 'OK') parts.push(`health ${d.health}`);
  return parts.join(' · ');
}

export function PowerPanel({ power, energy, width, compact, maxDevices }: PowerPanelProps) {
  const theme = useTheme();
  const inner = Math.max(10, width - (compact ? 0 : 4));
  const reason = powerUnavailableReason(power);
  const est = energy.estimated ? '~' : '';
  const figures = `energy ${est}${joules(power.joules ?? energy.joules)} · ${num(energy.qpsPerW, 3)} q/s per W · ${est}${joules(energy.joulesPerCorrect)}/correct`;
  // Without power: one line, the reason is in the help overlay (?), never a fake zero.
  const now = reason ? POWER_NA : `now ${watts(power.powerW)} ${sparkline(power.powerSeries, Math.max(4, Math.min(30, inner - 14)))}`;
  const devices = power.devices.slice(0, maxDevices).map(deviceLine);
  const hidden = power.devices.length - devices.length;
  if (compact) {
    const parts = reason ? [now] : [`power ${watts(power.powerW)} ${sparkline(power.powerSeries, 8)}`, figures];
    if (devices[0]) parts.push(devices[0]);
    return (
      <Text color={reason ? theme.warn : undefined} wrap="truncate">
        {truncate(parts.join(' · '), inner)}
      </Text>
    );
  }
  const source = power.source ? ` · ${power.source}${power.intervalMs ? ` every ${Number((power.intervalMs / 1000).toFixed(1))} s` : ''}` : '';
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.muted} paddingX={1}>
      <Text bold wrap="truncate">
        {truncate(`power & devices${source}`, inner)}
      </Text>
      <Text color={reason ? theme.warn : undefined} wrap="truncate">
        {truncate(now, inner)}
      </Text>
      {reason ? null : (
        <Text wrap="truncate">{truncate(figures, inner)}</Text>
      )}
      {devices.map((line, i) => (
        <Text key={i} color={theme.muted} wrap="truncate">
          {truncate(line, inner)}
        </Text>
      ))}
      {hidden > 0 ? <Text color={theme.muted}>{`+${hidden} more devices`}</Text> : null}
    </Box>
  );
}
