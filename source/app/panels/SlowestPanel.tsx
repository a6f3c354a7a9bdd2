import { Box, Text } from 'ink';
import type { QueryRecord } from '../../core/query.js';
import { ms, padEnd, padStart } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';
import type { Theme } from '../theme.js';

export interface SlowestPanelProps {
  slowest: readonly QueryRecord[];
  width: number;
  lines: number;
}

export type Phase = 'pre' | 'queue' | 'ttft' | 'decode' | 'post';
export const phases: readonly Phase[] = ['pre', 'queue', 'ttft', 'decode', 'post'];
const glyph: Record<Phase, string> = { pre: '░', queue: '▒', ttft: '▓', decode: '█', post: '▪' };

function span(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(0, b - a);
}

/** pre = issued→enqueued, queue = enqueued→start, ttft = start→first token, decode = first→last token, post = last token→done. */
export function breakdown(r: QueryRecord): Record<Phase, number | undefined> & { e2e: number } {
  return {
    pre: span(r.tIssued, r.tEnqueued),
    queue: span(r.tEnqueued, r.tStart),
    ttft: span(r.tStart, r.tFirstToken),
    decode: span(r.tFirstToken, r.tEnd),
    post: span(r.tEnd ?? r.tFirstToken ?? r.tStart, r.tDone),
    e2e: Math.max(0, r.tDone - r.tIssued),
  };
}

/** A bar of `width` cells split by phase, proportional to the phase durations. */
export function phaseBar(b: ReturnType<typeof breakdown>, width: number, theme: Theme) {
  const total = b.e2e > 0 ? b.e2e : 1;
  let used = 0;
  return phases.map((p) => {
    const cells = p === 'post' ? Math.max(0, width - used) : Math.min(width - used, Math.round(((b[p] ?? 0) / total) * width));
    used += cells;
    return (
      <Text key={p} color={theme.phases[p]}>
        {glyph[p].repeat(cells)}
      </Text>
    );
  });
}

/** The slowest requests of the run with their timing breakdown (toggled with v). */
export function SlowestPanel({ slowest, width, lines }: SlowestPanelProps) {
  const theme = useTheme();
  const inner = Math.max(40, width - 4);
  const rows = [...slowest].sort((a, b) => b.tDone - b.tIssued - (a.tDone - a.tIssued)).slice(0, Math.max(1, lines - 3));
  const c = 8;
  const fixed = 7 + 2 + c * 6 + 5;
  const barW = Math.max(0, Math.min(24, Math.floor((inner - fixed) / 2)));
  const qW = Math.max(0, inner - fixed - barW - 2);
  const header = `${padEnd('seq', 7)}${padEnd('m', 2)}${padStart('e2e', c)}${phases.map((p) => padStart(p, c)).join('')}${padStart('out', 5)}`;
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.accent} paddingX={1}>
      <Text bold wrap="truncate">
        slowest requests · {phases.map((p) => `${glyph[p]} ${p}`).join('  ')} · v to close
      </Text>
      <Text color={theme.muted} wrap="truncate">
        {header}
      </Text>
      {rows.length === 0 ? <Text color={theme.muted}>no finished requests yet</Text> : null}
      {rows.map((r) => {
        const b = breakdown(r);
        return (
          <Text key={r.id} wrap="truncate" color={r.error ? theme.bad : undefined}>
            {padEnd(String(r.seq), 7)}
            {padEnd(r.model, 2)}
            {padStart(ms(b.e2e), c)}
            {phases.map((p) => padStart(ms(b[p]), c)).join('')}
            {padStart(String(r.outputTokens), 5)}
            {barW > 0 ? ' ' : ''}
            {barW > 0 ? phaseBar(b, barW, theme) : null}
            {qW > 0 ? ` ${padEnd(r.error ? `error: ${r.error}` : (r.question ?? r.questionId), qW)}` : ''}
          </Text>
        );
      })}
    </Box>
  );
}
