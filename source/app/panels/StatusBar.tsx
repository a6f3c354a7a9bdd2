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

/** Always on the bar, however narrow the terminal: how to get help and how to leave. */
export const ALWAYS_SHOWN = '? help  q quit';
const ALWAYS_KEYS = new Set(['?', 'q']);

export function statusKeys(mode: Mode, metric: HistogramMetric): string {
  return keyTable(mode)
    .filter((k) => !ALWAYS_KEYS.has(k.keys))
    .map((k) => (k.short === '' ? k.keys : `${k.keys} ${k.short === 'metric' ? `metric:${metric}` : k.short}`))
    .join('  ');
}

/** The other keys cut to what fits, then help and quit, which never give way. */
export function statusLine(keys: string, width: number): string {
  const room = width - ALWAYS_SHOWN.length - 2;
  if (room < 4) return truncate(ALWAYS_SHOWN, width);
  const shown = keys.length <= room ? keys : truncate(keys, room);
  return `${shown}  ${ALWAYS_SHOWN}`;
}

/** One line: the transient message (if any), then the keys; `? help  q quit` always at the end. */
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
        {statusLine(keys, width)}
      </Text>
    );
  }
  const colour = { info: theme.accent, good: theme.good, warn: theme.warn, bad: theme.bad }[message.tone];
  const text = truncate(message.text, Math.max(1, width - ALWAYS_SHOWN.length - 5));
  return (
    <Text wrap="truncate">
      <Text color={colour} bold>
        {text}
      </Text>
      <Text color={theme.muted}>{`  │ ${statusLine(keys, width - text.length - 4)}`}</Text>
    </Text>
  );
}
