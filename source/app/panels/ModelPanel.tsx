import { Box, Text } from 'ink';
import type { ModelFigures, Proportion } from '../../core/metrics/snapshot.js';
import { Badge } from '../components/Badge.js';
import { Histogram } from '../components/Histogram.js';
import { ms, num, pct, sparkline, truncate } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';
import type { HistogramMetric } from '../state.js';

export interface ModelPanelProps {
  model: ModelFigures;
  metric: HistogramMetric;
  /** Outer width of the panel. */
  width: number;
  histRows: number;
  /** Compact: no border, fewer lines (small terminals). */
  compact: boolean;
}

const metricNames: Record<HistogramMetric, string> = {
  e2e: 'e2e latency',
  ttft: 'TTFT',
  tpot: 'TPOT',
  itl: 'ITL',
  queue: 'queue wait',
};

export function interval(p: Proportion): string {
  if (p.low === undefined || p.high === undefined) return '';
  return ` [${p.low.toFixed(0)}–${p.high.toFixed(0)}]`;
}

/** One model: state, queue, live latency histogram, throughput, accuracy. */
export function ModelPanel({ model, metric, width, histRows, compact }: ModelPanelProps) {
  const theme = useTheme();
  const inner = Math.max(10, width - (compact ? 1 : 4));
  const view = model.latency[metric];
  const s = view.last10s;
  const slotColour = model.slot === 'A' ? theme.modelA : theme.modelB;
  const down = model.state === 'down' || model.state === 'exited';
  const stateBadge = down
    ? { label: `${model.state.toUpperCase()}${model.stateDetail ? `: ${model.stateDetail}` : ''}`, colour: theme.bad }
    : model.state === 'starting'
      ? { label: 'STARTING…', colour: theme.warn }
      : undefined;
  const stateText = stateBadge ? '' : model.state;
  const load = `queue ${model.queueDepth} · running ${model.inFlight} · batch ${model.batchSize}`;
  const errs = `errors ${model.errors}${model.overloaded ? ` (${model.overloaded} overload)` : ''}${model.timeouts > 0 ? ` (${model.timeouts} timeouts)` : ''}`;
  const name = truncate(`${model.slot} ${model.info.label} · ${model.info.model} · ${model.info.backend}/${model.info.device}`, inner - (stateBadge ? Math.min(inner / 2, stateBadge.label.length + 3) : stateText.length + 1));
  // The percentiles keep their place; the legend gives way (window, then metric name) on narrow columns.
  const percentiles = `p50 ${ms(s.p50)} p90 ${ms(s.p90)} p99 ${ms(s.p99)}`;
  const legendRoom = Math.max(0, inner - percentiles.length - 1);
  const legendChoices = [`${metricNames[metric]} · 10 s · n=${s.count}`, `${metricNames[metric]} · n=${s.count}`, `n=${s.count}`];
  const legend = truncate(legendChoices.find((text) => text.length <= legendRoom) ?? legendChoices.at(-1)!, legendRoom);
  const spark = Math.max(4, Math.min(30, inner - 22));
  const tput = (label: string, value: number | undefined, series: number[]) =>
    `${label.padEnd(6)}${num(value).padStart(6)} ${sparkline(series, spark)}`;
  const acc = model.accuracy;
  const em = `EM ${pct(acc.em.value)}${interval(acc.em)} F1 ${pct(acc.f1)}`;
  const split = `ans EM ${pct(acc.hasAns.em.value)} F1 ${pct(acc.hasAns.f1)} (n ${acc.hasAns.em.n}) · unans EM ${pct(acc.noAns.em.value)} (n ${acc.noAns.em.n})`;
  const line = (text: string, colour?: string) => (
    <Text color={colour} wrap="truncate">
      {truncate(text, inner)}
    </Text>
  );
  return (
    <Box flexDirection="column" width={width} borderStyle={compact ? undefined : 'round'} borderColor={slotColour} paddingLeft={compact ? 0 : 1} paddingRight={1}>
      <Box justifyContent="space-between">
        <Text bold color={slotColour} wrap="truncate">
          {name}
        </Text>
        {stateBadge ? <Badge label={truncate(stateBadge.label, Math.floor(inner / 2))} colour={stateBadge.colour} /> : <Text color={theme.good}>{stateText}</Text>}
      </Box>
      {compact ? null : line(`${load} · ${errs}`, model.errors > 0 ? theme.bad : undefined)}
      <Box justifyContent="space-between">
        <Text wrap="truncate">{legend}</Text>
        <Text wrap="truncate">
          <Text color={theme.p50}>p50 {ms(s.p50)} </Text>
          <Text color={theme.p90}>p90 {ms(s.p90)} </Text>
          <Text color={theme.p99}>p99 {ms(s.p99)}</Text>
        </Text>
      </Box>
      <Histogram bins={view.bins10s} stats={s} width={inner} rows={histRows} />
      {compact ? (
        line(`q/s ${num(model.throughput.qps10s)} ${sparkline(model.throughput.qpsSeries, 12)} tok/s ${num(model.throughput.tokensPerSec10s)} · q ${model.queueDepth} b ${model.batchSize} · err ${model.errors}`)
      ) : (
        <>
          {line(tput('q/s', model.throughput.qps10s, model.throughput.qpsSeries))}
          {line(tput('tok/s', model.throughput.tokensPerSec10s, model.throughput.tokensPerSecSeries))}
        </>
      )}
      {compact ? line(`${em} · ${split}`) : line(em)}
      {compact ? null : line(split, theme.muted)}
    </Box>
  );
}
