import { Box, Text } from 'ink';
import { padEnd } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';
import { keyTable, type Mode } from '../keys.js';

export interface HelpOverlayProps {
  mode: Mode;
  width: number;
  /** What the panels can only hint at (why power is n/a, ...): one line each. */
  notes?: readonly string[];
}

/** The key table and the notes, in place of the panels while open. */
export function HelpOverlay({ mode, width, notes = [] }: HelpOverlayProps) {
  const theme = useTheme();
  return (
    // Its natural height: on a short terminal the screen clips the bottom, never a line in the middle.
    <Box flexDirection="column" flexShrink={0} width={width} borderStyle="double" borderColor={theme.accent} paddingX={1}>
      <Text bold>{mode === 'live' ? 'keys (live run)' : 'keys (replay)'}</Text>
      {keyTable(mode).map((k) => (
        <Text key={k.keys} wrap="truncate">
          <Text bold color={theme.accent}>
            {padEnd(k.keys, 7)}
          </Text>
          {k.description}
        </Text>
      ))}
      {notes.map((note) => (
        <Text key={note} color={theme.warn} wrap="wrap">
          {note}
        </Text>
      ))}
      <Text color={theme.muted}>? or Esc closes this help</Text>
    </Box>
  );
}
