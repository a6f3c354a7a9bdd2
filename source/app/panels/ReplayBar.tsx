import { Text } from 'ink';
import type { ReplayTimeline } from '../../core/session/replay.js';
import { clock } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';

export interface ReplayBarProps {
  timeline: ReplayTimeline;
  width: number;
}

/**
 * One line: position / total, then the whole log as a bar with a tick at each segment
 * start (labelled where there is room), the played part heavy, the playhead a dot.
 */
export function timelineBar(timeline: ReplayTimeline, width: number): string {
  const { start, end, playhead, segments } = timeline;
  const span = Math.max(1, end - start);
  const col = (t: number) => Math.min(width - 1, Math.max(0, Math.floor(((t - start) / span) * width)));
  const head = col(playhead);
  const cells: string[] = Array.from({ length: width }, (_, i) => (i < head ? '━' : '─'));
  const starts = segments.map((s) => ({ ...s, at: col(s.t) }));
  starts.forEach((s, i) => {
    if (s.at > 0) cells[s.at] = '┃';
    const room = (starts[i + 1]?.at ?? width) - s.at - 2;
    const label = `#${s.index} ${s.label}`;
    if (room >= label.length) for (let k = 0; k < label.length; k++) cells[s.at + 1 + k] = label[k]!;
    else if (room >= String(s.index).length + 1) for (const [k, ch] of [...`#${s.index}`].entries()) cells[s.at + 1 + k] = ch;
  });
  cells[head] = '●';
  return cells.join('');
}

export function ReplayBar({ timeline, width }: ReplayBarProps) {
  const theme = useTheme();
  const position = `${clock(timeline.playhead - timeline.start)} / ${clock(timeline.end - timeline.start)}`;
  const suffix = timeline.atEnd ? ' END · space plays again' : '';
  const barWidth = Math.max(0, width - position.length - suffix.length - 2);
  return (
    <Text wrap="truncate">
      <Text bold>{position}</Text> <Text color={theme.accent}>{timelineBar(timeline, barWidth)}</Text>
      {suffix ? <Text color={theme.warn}>{suffix}</Text> : null}
    </Text>
  );
}
