import { Box, Text } from 'ink';
import type { LatencyStats, HistogramBin } from '../../core/metrics/snapshot.js';
import { ms } from '../format.js';
import { barRows, layoutHistogram, markerColumn } from '../histogram.js';
import { useTheme } from '../hooks/useTheme.js';

export interface HistogramProps {
  bins: readonly HistogramBin[];
  stats: LatencyStats;
  width: number;
  rows: number;
}

/** Bars, a marker row (▲ at p50, p90, p99) and an axis. Pure. */
export function Histogram({ bins, stats, width, rows }: HistogramProps) {
  const theme = useTheme();
  const marks = [
    { value: stats.p50, colour: theme.p50 },
    { value: stats.p90, colour: theme.p90 },
    { value: stats.p99, colour: theme.p99 },
  ];
  const geometry = layoutHistogram(bins, width, marks.map((m) => m.value));
  if (!geometry) {
    return (
      <Box flexDirection="column" height={rows + 2}>
        <Text color={theme.muted} wrap="truncate">
          no requests finished in the last 10 s
        </Text>
      </Box>
    );
  }
  // Later (higher) percentiles win a shared column.
  const cells: ({ colour: string | undefined } | undefined)[] = new Array(width).fill(undefined);
  for (const mark of marks) {
    if (mark.value !== undefined) cells[markerColumn(geometry, mark.value, width)] = { colour: mark.colour };
  }
  const left = ms(geometry.fromMs);
  const right = ms(geometry.toMs);
  const axis = left + ' '.repeat(Math.max(1, width - left.length - right.length)) + right;
  return (
    <Box flexDirection="column">
      {barRows(geometry.columns, rows).map((line, i) => (
        <Text key={i} color={theme.bar} wrap="truncate">
          {line}
        </Text>
      ))}
      <Text wrap="truncate">
        {cells.map((cell, i) =>
          cell ? (
            <Text key={i} color={cell.colour} bold>
              ▲
            </Text>
          ) : (
            ' '
          ),
        )}
      </Text>
      <Text color={theme.muted} wrap="truncate">
        {axis.slice(0, width)}
      </Text>
    </Box>
  );
}
