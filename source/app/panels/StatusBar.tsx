import { Text } from 'ink';
import { truncate } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';
import { keyTable, type Mode } from '../keys.js';
import type { HistogramMetric, UiMessage } from '../state.js';

export interface StatusBarProps {
  mode: Mode;
  metric: HistogramMetric;
  stopping: boolean;
  message?: UiMessage;
  width: number;
}

export function statusKeys(mode: Mode, metric: HistogramMetric): string {
  return keyTable(mode)
    .map((k) => (k.short === '' ? k.keys : `${k.keys} ${k.short === 'metric' ? `metric:${metric}` : k.short}`))
    .join('  ');
}

/** One line: the transient message (if any), then the keys. */
export function StatusBar({ mode, metric, stopping, message, width }: StatusBarProps) {
  const theme = useTheme();
  if (stopping) {
    return (
      <Text color={theme.warn} wrap="truncate">
        {truncate('stopping… letting in-flight requests finish, then flushing the session log', width)}
      </Text>
    );
  }
  const keys = statusKeys(mode, metric);
  if (!message) {
    return (
      <Text color={theme.muted} wrap="truncate">
        {truncate(keys, width)}
      </Text>
    );
  }
  const colour = { info: theme.accent, good: theme.good, warn: theme.warn, bad: theme.bad }[message.tone];
  const text = truncate(message.text, width);
  return (
    <Text wrap="truncate">
      <Text color={colour} bold>
        {text}
      </Text>
      <Text color={theme.muted}>{truncate(`  │ ${keys}`, Math.max(0, width - text.length))}</Text>
    </Text>
  );
}
