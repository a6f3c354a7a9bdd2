import { Box, Text } from 'ink';
import type { ReplicaStats } from '../../core/engines/replicas/replica.js';
import type { ModelFigures } from '../../core/metrics/snapshot.js';
import { ms, truncate } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';

/** The part of a replica URL that tells replicas apart (host:port, or the whole URL when they share it). */
export function replicaName(url: string, all: readonly ReplicaStats[]): string {
  try {
    const hosts = all.map((r) => new URL(r.url).host);
    const host = new URL(url).host;
    return hosts.filter((h) => h === host).length > 1 ? url : host;
  } catch {
    return url;
  }
}

/** One replica: health, outstanding requests, answers and errors, mean latency of its answers. */
export function replicaText(replica: ReplicaStats, all: readonly ReplicaStats[]): string {
  const name = replicaName(replica.url, all);
  const health = replica.state === 'up' ? 'up' : `DOWN${replica.lastError ? ` (${replica.lastError})` : ''}`;
  return `${name} ${health} · out ${replica.outstanding} · ${replica.answered}/${replica.requests} answered · err ${replica.errors} · mean ${ms(replica.meanLatencyMs)}`;
}

/** Every replica on one line (the model panel): a down replica is named first. */
export function replicaLine(model: ModelFigures): string | undefined {
  const replicas = model.replicas;
  if (!replicas || replicas.length === 0) return undefined;
  const ordered = [...replicas].sort((a, b) => (a.state === b.state ? 0 : a.state === 'down' ? -1 : 1));
  const parts = ordered.map((r) => {
    const name = replicaName(r.url, replicas);
    return r.state === 'up' ? `${name} ${r.outstanding} out ${ms(r.meanLatencyMs)}${r.errors > 0 ? ` ${r.errors} err` : ''}` : `${name} DOWN`;
  });
  return `replicas: ${parts.join(' · ')}`;
}

export interface ReplicaLineProps {
  model: ModelFigures;
  width: number;
}

export function ReplicaLine({ model, width }: ReplicaLineProps) {
  const theme = useTheme();
  const text = replicaLine(model);
  if (text === undefined) return null;
  const down = model.replicas?.some((r) => r.state === 'down');
  return (
    <Text color={down ? theme.bad : theme.muted} wrap="truncate">
      {truncate(text, width)}
    </Text>
  );
}

export interface ReplicaPanelProps {
  models: readonly ModelFigures[];
  width: number;
}

/** The drill-down: one line per replica of each model (for a view that gives it the room). */
export function ReplicaPanel({ models, width }: ReplicaPanelProps) {
  const theme = useTheme();
  const inner = Math.max(10, width - 4);
  const withReplicas = models.filter((m) => m.replicas && m.replicas.length > 0);
  if (withReplicas.length === 0) return null;
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.muted} paddingX={1}>
      {withReplicas.map((model) => (
        <Box key={model.slot} flexDirection="column">
          <Text bold color={model.slot === 'A' ? theme.modelA : theme.modelB} wrap="truncate">
            {truncate(`${model.slot} ${model.info.label}: ${model.replicas!.length} replicas`, inner)}
          </Text>
          {model.replicas!.map((replica) => (
            <Text key={replica.url} color={replica.state === 'down' ? theme.bad : undefined} wrap="truncate">
              {truncate(`  ${replicaText(replica, model.replicas!)}`, inner)}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}
