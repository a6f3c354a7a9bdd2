import { Box, Text } from 'ink';
import type { ModelFigures } from '../../core/metrics/snapshot.js';
import { ms, pct, truncate } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';

/**
 * The server's own view of its load (its /metrics), next to what duet measures of the same
 * model: its running batch and queue, KV cache and prefix-cache hits, and its TTFT and
 * queue time beside duet's client-side TTFT over the last 10 s. If the server's queue
 * time makes up the client's TTFT, it is the queue; if not, the model (or the network).
 */
export function serverLine(model: ModelFigures): string | undefined {
  const server = model.server;
  if (!server) return undefined;
  if (server.problem) return `server metrics: ${server.problem}`;
  const parts: string[] = [];
  if (server.running !== undefined || server.waiting !== undefined) parts.push(`running ${server.running ?? '–'} · waiting ${server.waiting ?? '–'}`);
  if (server.slotsTotal !== undefined) parts.push(`slots ${server.slotsBusy}/${server.slotsTotal}`);
  if (server.kvCachePct !== undefined) parts.push(`KV ${pct(server.kvCachePct, 0)}`);
  if (server.prefixHitPct !== undefined) parts.push(`prefix hits ${pct(server.prefixHitPct, 0)}`);
  const clientTtft = model.latency.ttft.last10s.mean;
  if (server.ttftMs !== undefined) parts.push(`TTFT ${ms(server.ttftMs)} (duet ${ms(clientTtft)})`);
  if (server.queueMs !== undefined) parts.push(`queue ${ms(server.queueMs)}`);
  return `server: ${parts.length > 0 ? parts.join(' · ') : 'no figures yet'}`;
}

export interface ServerLineProps {
  model: ModelFigures;
  width: number;
}

/** One line in a model panel; nothing when the server is not scraped. */
export function ServerLine({ model, width }: ServerLineProps) {
  const theme = useTheme();
  const text = serverLine(model);
  if (text === undefined) return null;
  return (
    <Text color={model.server?.problem ? theme.warn : theme.muted} wrap="truncate">
      {truncate(text, width)}
    </Text>
  );
}

export interface ServerPanelProps {
  models: readonly ModelFigures[];
  width: number;
}

/** Both models' server views in one box (for layouts that give it a place of its own). */
export function ServerPanel({ models, width }: ServerPanelProps) {
  const theme = useTheme();
  const inner = Math.max(10, width - 4);
  const lines = models.flatMap((model) => {
    const text = serverLine(model);
    return text === undefined ? [] : [{ slot: model.slot, text }];
  });
  if (lines.length === 0) return null;
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.muted} paddingX={1}>
      {lines.map(({ slot, text }) => (
        <Text key={slot} color={slot === 'A' ? theme.modelA : theme.modelB} wrap="truncate">
          {truncate(`${slot} ${text}`, inner)}
        </Text>
      ))}
    </Box>
  );
}
