import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { SegmentSummary } from '../../core/metrics/snapshot.js';
import { ms, msDelta, num, padStart, pct, signed, truncate, watts } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';
import type { Colour } from '../theme.js';

export interface SegmentPanelProps {
  segments: readonly SegmentSummary[];
  width: number;
  compact: boolean;
}

interface Row {
  label: string;
  prev: string;
  now: string;
  delta: string;
  /** +1 better, -1 worse, 0 same/unknown. */
  verdict: number;
}

function diff(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : b - a;
}

function verdict(delta: number | undefined, lowerIsBetter: boolean): number {
  if (delta === undefined || delta === 0) return 0;
  return (delta < 0) === lowerIsBetter ? 1 : -1;
}

export function segmentRows(prev: SegmentSummary, cur: SegmentSummary): Row[] {
  const rows: Row[] = [];
  const add = (label: string, a: number | undefined, b: number | undefined, f: (v: number | undefined) => string, d: (v: number | undefined) => string, lower: boolean) => {
    const delta = diff(a, b);
    rows.push({ label, prev: f(a), now: f(b), delta: d(delta), verdict: verdict(delta, lower) });
  };
  add('p50', prev.e2eP50, cur.e2eP50, ms, msDelta, true);
  add('p99', prev.e2eP99, cur.e2eP99, ms, msDelta, true);
  add('q/s', prev.qps, cur.qps, (v) => num(v), (v) => signed(v, 2), false);
  add('EM', prev.em, cur.em, (v) => pct(v), (v) => signed(v, 1), false);
  add('W', prev.meanPowerW, cur.meanPowerW, watts, (v) => signed(v, 1), true);
  return rows;
}

/** The A/B comparison: the current policy segment against the previous one. */
export function SegmentPanel({ segments, width, compact }: SegmentPanelProps) {
  const theme = useTheme();
  const inner = Math.max(10, width - (compact ? 0 : 4));
  const cur = segments[segments.length - 1];
  const prev = segments[segments.length - 2];
  const colour = (v: number): Colour => (v > 0 ? theme.good : v < 0 ? theme.bad : undefined);
  let body: ReactNode;
  if (!cur || !prev) {
    const text = cur ? `seg ${cur.index} ${cur.policy} · ${cur.completed} done · p starts an A/B segment` : 'no segment yet';
    body = <Text color={theme.muted} wrap="truncate">{truncate(text, inner)}</Text>;
  } else {
    const rows = segmentRows(prev, cur);
    const title = `Δ seg ${cur.index} ${cur.policy} vs ${prev.index} ${prev.policy}`;
    if (compact) {
      return (
        <Text wrap="truncate">
          {truncate(title, inner)}:
          {rows.map((r) => (
            <Text key={r.label} color={colour(r.verdict)}>{` ${r.label} ${r.delta}`}</Text>
          ))}
        </Text>
      );
    }
    const w = Math.max(7, Math.floor((inner - 5) / 3));
    body = (
      <>
        <Text bold wrap="truncate">{truncate(title, inner)}</Text>
        <Text color={theme.muted}>{`${''.padEnd(5)}${padStart(`#${prev.index}`, w)}${padStart(`#${cur.index}`, w)}${padStart('Δ', w)}`}</Text>
        {rows.map((r) => (
          <Text key={r.label}>
            {r.label.padEnd(5)}
            {padStart(r.prev, w)}
            {padStart(r.now, w)}
            <Text color={colour(r.verdict)}>{padStart(r.delta, w)}</Text>
          </Text>
        ))}
      </>
    );
  }
  if (compact) return body;
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.muted} paddingX={1}>
      {body}
    </Box>
  );
}
