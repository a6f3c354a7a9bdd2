import { Box, Text } from 'ink';
import { padEnd } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';
import { keyTable, type Mode } from '../keys.js';

/** The key table, in place of the panels while open. */
export function HelpOverlay({ mode, width }: { mode: Mode; width: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width} borderStyle="double" borderColor={theme.accent} paddingX={1}>
      <Text bold>{mode === 'live' ? 'keys (live run)' : 'keys (replay)'}</Text>
      {keyTable(mode).map((k) => (
        <Text key={k.keys} wrap="wrap">
          <Text bold color={theme.accent}>
            {padEnd(k.keys, 7)}
          </Text>
          {k.description}
        </Text>
      ))}
      <Text color={theme.muted}>? or Esc closes this help</Text>
    </Box>
  );
}
