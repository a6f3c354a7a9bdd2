import { Box, Text } from 'ink';
import type { RecentAnswer } from '../../core/metrics/snapshot.js';
import { ms, padEnd, truncate } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';

export interface TickerProps {
  recent: readonly RecentAnswer[];
  width: number;
  lines: number;
  compact: boolean;
}

export function answerText(text: string): string {
  return text.trim() === '' ? '(no answer)' : text;
}

export function goldText(gold: readonly string[]): string {
  const answers = gold.filter((g) => g.trim() !== '');
  if (answers.length === 0) return '(unanswerable)';
  return answers.length === 1 ? answers[0]! : `${answers[0]} (+${answers.length - 1})`;
}

/** The latest answers, newest first: hit/miss, model, question, prediction vs gold. */
export function Ticker({ recent, width, lines, compact }: TickerProps) {
  const theme = useTheme();
  if (lines <= 0) return null;
  const inner = Math.max(20, width - (compact ? 0 : 4));
  const rows = [...recent].sort((a, b) => b.seq - a.seq).slice(0, lines);
  const rest = inner - 2 - 2 - 7 - 3;
  const qw = Math.max(8, Math.floor(rest * 0.45));
  const pw = Math.max(6, Math.floor(rest * 0.27));
  const gw = Math.max(6, rest - qw - pw);
  const body =
    rows.length === 0 ? (
      <Text color={theme.muted}>no answers yet</Text>
    ) : (
      rows.map((r) => (
        <Text key={`${r.seq}:${r.model}`} wrap="truncate">
          <Text color={r.hit ? theme.good : theme.bad}>{r.hit ? '✓ ' : '✗ '}</Text>
          <Text color={r.model === 'A' ? theme.modelA : theme.modelB}>{`${r.model} `}</Text>
          <Text color={theme.muted}>{ms(r.e2eMs).padStart(6)} </Text>
          {padEnd(r.question, qw)}
          {' → '}
          <Text bold>{padEnd(answerText(r.prediction), pw)}</Text>
          <Text color={theme.muted}>{truncate(` gold ${goldText(r.gold)}`, gw)}</Text>
        </Text>
      ))
    );
  if (compact) return <Box flexDirection="column">{body}</Box>;
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.muted} paddingX={1}>
      {body}
    </Box>
  );
}
