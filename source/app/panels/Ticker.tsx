import { Box, Text } from 'ink';
import type { RecentAnswer } from '../../core/metrics/snapshot.js';
import { ms, padEnd, truncate } from '../format.js';
import type { FailedAnswer } from '../hooks/useRunEvents.js';
import { useTheme } from '../hooks/useTheme.js';

export interface TickerProps {
  recent: readonly RecentAnswer[];
  /** Failed requests, shown in line with the answers. */
  failures?: readonly FailedAnswer[];
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
export function Ticker({ recent, failures = [], width, lines, compact }: TickerProps) {
  const theme = useTheme();
  if (lines <= 0) return null;
  const inner = Math.max(20, width - (compact ? 0 : 4));
  type Row = { kind: 'answer'; r: RecentAnswer } | { kind: 'failure'; r: FailedAnswer };
  const rows: Row[] = [...recent.map((r): Row => ({ kind: 'answer', r })), ...failures.map((r): Row => ({ kind: 'failure', r }))]
    .sort((a, b) => b.r.seq - a.r.seq || (a.r.model < b.r.model ? -1 : 1))
    .slice(0, lines);
  const rest = inner - 2 - 2 - 7 - 3;
  const qw = Math.max(8, Math.floor(rest * 0.45));
  const pw = Math.max(6, Math.floor(rest * 0.27));
  const gw = Math.max(6, rest - qw - pw);
  const body =
    rows.length === 0 ? (
      <Text color={theme.muted}>no answers yet</Text>
    ) : (
      rows.map(({ kind, r }) =>
        kind === 'failure' ? (
          <Text key={`${r.seq}:${r.model}:x`} wrap="truncate">
            <Text color={theme.bad}>! </Text>
            <Text color={r.model === 'A' ? theme.modelA : theme.modelB}>{`${r.model} `}</Text>
            <Text color={theme.muted}>{ms(r.e2eMs).padStart(6)} </Text>
            {padEnd(r.question, qw)}
            {' → '}
            <Text color={theme.bad}>{truncate(`error: ${r.error}`, pw + gw)}</Text>
          </Text>
        ) : (
          <Text key={`${r.seq}:${r.model}`} wrap="truncate">
            <Text color={r.hit ? theme.good : theme.bad}>{r.hit ? '✓ ' : '✗ '}</Text>
            <Text color={r.model === 'A' ? theme.modelA : theme.modelB}>{`${r.model} `}</Text>
            <Text color={theme.muted}>{ms(r.e2eMs).padStart(6)} </Text>
            {padEnd(r.question, qw)}
            {' → '}
            <Text bold>{padEnd(answerText(r.prediction), pw)}</Text>
            <Text color={theme.muted}>{truncate(` gold ${goldText(r.gold)}`, gw)}</Text>
          </Text>
        ),
      )
    );
  if (compact) return <Box flexDirection="column">{body}</Box>;
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.muted} paddingX={1}>
      {body}
    </Box>
  );
}
