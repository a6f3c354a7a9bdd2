import { Text } from 'ink';
import type { Colour } from '../theme.js';

/** A short inverse-video label; stays visible with NO_COLOR. */
export function Badge({ label, colour }: { label: string; colour: Colour }) {
  return (
    <Text inverse bold color={colour}>
      {` ${label} `}
    </Text>
  );
}
