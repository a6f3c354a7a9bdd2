import { Box, Text } from 'ink';
import type { HistogramBin, LatencyStats } from '../../core/metrics/snapshot.js';
import { axisLine, barRows, columnCounts, markerColumn, type LogAxis } from '../histogram.js';
import { useTheme } from '../hooks/useTheme.js';

export interface HistogramProps {
  bins: readonly HistogramBin[];
  stats: LatencyStats;
  /** Shared by both models' histograms of the metric (histogram.ts sharedAxis). */
  axis?: LogAxis;
  width: number;
  rows: number;
}

/**
 * Bars on the shared log axis, a marker row (▲ at p50, p90, p99, with the count a full
 * column stands for at its right end) and the decade axis. Pure.
 */
export function Histogram({ bins, stats, axis, width, rows }: HistogramProps) {
  const theme = useTheme();
  if (!axis || stats.count === 0 || bins.length === 0) {
    return (
      <Box flexDirection="column" height={rows + 2}>
        <Text color={theme.muted} wrap="truncate">
          no requests finished in the last 10 s
        </Text>
      </Box>
    );
  }
  const columns = columnCounts(bins, axis, width);
  const peak = Math.max(...columns);
  const marks = [
    { value: stats.p50, colour: theme.p50 },
    { value: stats.p90, colour: theme.p90 },
    { value: stats.p99, colour: theme.p99 },
  ];
  // Later (higher) percentiles win a shared column.
  const cells: ({ colour: string | undefined } | undefined)[] = new Array(width).fill(undefined);
  for (const mark of marks) {
    if (mark.value !== undefined) cells[markerColumn(axis, mark.value, width)] = { colour: mark.colour };
  }
  const scale = `█=${peak}`;
  const scaleFits = cells.slice(width - scale.length - 1).every((c) => c === undefined);
  const markerCells = scaleFits ? cells.slice(0, width - scale.length) : cells;
  return (
    <Box flexDirection="column">
      {barRows(columns, rows).map((line, i) => (
        <Text key={i} color={theme.bar} wrap="truncate">
          {line}
        </Text>
      ))}
      <Text wrap="truncate">
        {markerCells.map((cell, i) =>
          cell ? (
            <Text key={i} color={cell.colour} bold>
              ▲
            </Text>
          ) : (
            ' '
          ),
        )}
        {scaleFits ? <Text color={theme.muted}>{scale}</Text> : null}
      </Text>
      <Text color={theme.muted} wrap="truncate">
        {axisLine(axis, width)}
      </Text>
    </Box>
  );
}
