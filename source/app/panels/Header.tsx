import { Box, Text } from 'ink';
import type { Snapshot } from '../../core/metrics/snapshot.js';
import { Badge } from '../components/Badge.js';
import { timingBadge } from '../components/timing-badge.js';
import { clock, loadLabel, num, truncate } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';
import type { Mode } from '../keys.js';
import type { Colour } from '../theme.js';

export const SYNTHETIC_BADGE = 'SYNTHETIC WEIGHTS — timings real, answers not';
const SYNTHETIC_SHORT = 'SYNTHETIC WEIGHTS';

export interface HeaderProps {
  snapshot: Snapshot;
  title: string;
  mode: Mode;
  paused: boolean;
  stopping: boolean;
  width: number;
  /** Replay speed (× real time), when the handle is a replay. */
  speed?: number;
}

export function backendLabel(snapshot: Snapshot): string {
  const a = snapshot.models.A.info;
  const b = snapshot.models.B.info;
  if (a.backend === b.backend && a.device === b.device) return `${a.backend} · ${a.device}`;
  return `A ${a.backend}/${a.device} · B ${b.backend}/${b.device}`;
}

/** Two lines: title, backend and badges; then policy, load, elapsed and progress. */
export function Header({ snapshot, title, mode, paused, stopping, width, speed }: HeaderProps) {
  const theme = useTheme();
  const synthetic = snapshot.models.A.info.synthetic || snapshot.models.B.info.synthetic;
  const badges: { label: string; colour: Colour }[] = [];
  if (stopping) badges.push({ label: 'stopping…', colour: theme.bad });
  if (paused) badges.push({ label: 'PAUSED', colour: theme.badgeWarn });
  if (mode === 'replay') badges.push({ label: 'REPLAY', colour: theme.badgeInfo });
  const timing = timingBadge(snapshot.measuring, theme);
  if (timing) badges.push(timing);
  const used = () => badges.reduce((sum, b) => sum + b.label.length + 3, 0);
  if (synthetic) {
    const full = { label: SYNTHETIC_BADGE, colour: theme.badgeWarn };
    badges.push(full);
    if (used() + 20 > width) full.label = SYNTHETIC_SHORT;
  }
  const name = /^duet\b/.test(title) ? title : `duet · ${title}`;
  const titleText = truncate(`${name} · ${backendLabel(snapshot)}`, Math.max(8, width - used() - 1));
  const weight = snapshot.policy === 'weighted' ? ` · weight A ${num(snapshot.weight, 2)}` : '';
  const progress = `${snapshot.done}${snapshot.total !== undefined ? `/${snapshot.total}` : ''} done`;
  const replay = mode === 'replay' && speed !== undefined ? ` · speed ×${num(speed)}` : '';
  const line2 = `policy ${snapshot.policy}${weight} · ${loadLabel(snapshot.load)}${replay} · ${clock(snapshot.elapsedMs)} · ${progress} · issued ${snapshot.issued}`;
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between" width={width}>
        <Text bold color={theme.accent} wrap="truncate">
          {titleText}
        </Text>
        <Box>
          {badges.map((b, i) => (
            <Box key={b.label} marginLeft={i === 0 ? 0 : 1}>
              <Badge label={b.label} colour={b.colour} />
            </Box>
          ))}
        </Box>
      </Box>
      <Text wrap="truncate">{truncate(line2, width)}</Text>
    </Box>
  );
}
