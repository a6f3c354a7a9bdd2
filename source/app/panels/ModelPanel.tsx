import { Box, Text } from 'ink';
import type { LatencyStats, ModelFigures, Proportion } from '../../core/metrics/snapshot.js';
import { Badge } from '../components/Badge.js';
import { Histogram } from '../components/Histogram.js';
import { logSparkline, ms, num, padStart, pct, sparkline, truncate } from '../format.js';
import type { LogAxis } from '../histogram.js';
import { useTheme } from '../hooks/useTheme.js';
import type { HistogramMetric } from '../state.js';
import { ReplicaLine } from './ReplicaPanel.js';
import { ServerLine } from './ServerPanel.js';

/** Shared by both model panels, so that their bars and sparklines compare. */
export interface SharedScales {
  /** The latency axis of the selected metric. */
  axis?: LogAxis;
  /** Top of the q/s and tok/s sparklines (the larger model's peak). */
  qps: number;
  tokens: number;
}

export interface ModelPanelProps {
  model: ModelFigures;
  metric: HistogramMetric;
  scales: SharedScales;
  /** Outer width of the panel. */
  width: number;
  histRows: number;
  /** Compact: no border, fewer lines (small terminals). */
  compact: boolean;
}

export const metricNames: Record<HistogramMetric, string> = { e2e: 'E2E', ttft: 'TTFT', tpot: 'TPOT', itl: 'ITL', queue: 'queue' };
export const NOT_MEANINGFUL = 'EM/F1 not meaningful (synthetic weights)';

/** The percentile rows: TTFT, ITL and E2E always, then queue wait, or TPOT while it is the histogram's metric. */
export function tableMetrics(metric: HistogramMetric): HistogramMetric[] {
  return ['ttft', 'itl', 'e2e', metric === 'tpot' ? 'tpot' : 'queue'];
}

export function interval(p: Proportion): string {
  if (p.low === undefined || p.high === undefined) return '';
  return ` [${p.low.toFixed(0)}–${p.high.toFixed(0)}]`;
}

/** "45ms/85ms/97ms": p50/p90/p99. */
export function triple(s: LatencyStats): string {
  return `${ms(s.p50)}/${ms(s.p90)}/${ms(s.p99)}`;
}

/** One line with the selected metric's p50/p90/p99 spelled out, then the others as room allows. */
export function compactPercentiles(model: ModelFigures, metric: HistogramMetric, width: number): string {
  const s = model.latency[metric].last10s;
  let text = `${metricNames[metric]} 10 s p50 ${ms(s.p50)} p90 ${ms(s.p90)} p99 ${ms(s.p99)} n=${s.count}`;
  for (const other of tableMetrics(metric).filter((m) => m !== metric)) {
    const more = ` · ${metricNames[other]} ${triple(model.latency[other].last10s)}`;
    if (text.length + more.length > width) break;
    text += more;
  }
  return truncate(text, width);
}

/** One model: state, queue, p50/p90/p99 per metric, the histogram on the shared axis, trend, throughput, accuracy. */
export function ModelPanel({ model, metric, scales, width, histRows, compact }: ModelPanelProps) {
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
  const errs = `errors ${model.errors}${model.overloaded ? ` (${model.overloaded} overload)` : ''}${model.timeouts > 0 ? ` (${model.timeouts} timeouts)` : ''}${model.cancelled > 0 ? ` · ${model.cancelled} cancelled` : ''}`;
  const name = truncate(`${model.slot} ${model.info.label} · ${model.info.model} · ${model.info.backend}/${model.info.device}`, inner - (stateBadge ? Math.min(inner / 2, stateBadge.label.length + 3) : stateText.length + 1));
  const spark = Math.max(4, Math.min(30, inner - 34));
  const tput = (label: string, value: number | undefined, series: number[], top: number) =>
    `${label.padEnd(6)}${num(value).padStart(6)} 10 s ${sparkline(series, spark, top)} 60 s, top ${num(top)}`;
  const acc = model.accuracy;
  const synthetic = model.info.synthetic;
  const em = synthetic ? `${NOT_MEANINGFUL} · n ${acc.em.n}` : `EM run ${pct(acc.em.value)}${interval(acc.em)} F1 ${pct(acc.f1)} · n ${acc.em.n}`;
  const split = `ans EM ${pct(acc.hasAns.em.value)} F1 ${pct(acc.hasAns.f1)} (n ${acc.hasAns.em.n}) · unans EM ${pct(acc.noAns.em.value)} (n ${acc.noAns.em.n})`;
  const line = (text: string, colour?: string) => (
    <Text color={colour} wrap="truncate">
      {truncate(text, inner)}
    </Text>
  );
  const col = Math.max(7, Math.min(9, Math.floor((inner - 14) / 4)));
  const trendWidth = Math.max(4, Math.min(TREND_CELLS, Math.floor((inner - 24) / 2)));
  return (
    <Box flexDirection="column" width={width} borderStyle={compact ? undefined : 'round'} borderColor={slotColour} paddingLeft={compact ? 0 : 1} paddingRight={1}>
      <Box justifyContent="space-between">
        <Text bold color={slotColour} wrap="truncate">
          {name}
        </Text>
        {stateBadge ? <Badge label={truncate(stateBadge.label, Math.floor(inner / 2))} colour={stateBadge.colour} /> : <Text color={theme.good}>{stateText}</Text>}
      </Box>
      {compact ? null : line(`${load} · ${errs}`, model.errors > 0 ? theme.bad : undefined)}
      {compact ? null : <ServerLine model={model} width={inner} />}
      {compact ? null : <ReplicaLine model={model} width={inner} />}
      {compact ? (
        line(compactPercentiles(model, metric, inner))
      ) : (
        <>
          <Text color={theme.muted} wrap="truncate">
            {truncate(`${'last 10 s'.padEnd(14)}${padStart('p50', col)}${padStart('p90', col)}${padStart('p99', col)}${padStart('n', col)}`, inner)}
          </Text>
          {tableMetrics(metric).map((m) => {
            const st = model.latency[m].last10s;
            return (
              <Text key={m} bold={m === metric} wrap="truncate">
                {`${m === metric ? '▸' : ' '} ${metricNames[m].padEnd(12)}`}
                <Text color={theme.p50}>{padStart(ms(st.p50), col)}</Text>
                <Text color={theme.p90}>{padStart(ms(st.p90), col)}</Text>
                <Text color={theme.p99}>{padStart(ms(st.p99), col)}</Text>
                {padStart(String(st.count), col)}
              </Text>
            );
          })}
        </>
      )}
      {histRows > 0 ? <Histogram bins={view.bins10s} stats={s} axis={scales.axis} width={inner} rows={histRows} /> : null}
      {compact || !scales.axis
        ? null
        : line(`${metricNames[metric]} trend 60 s: p50 ${logSparkline(view.trend.p50.map(orUndefined), trendWidth, scales.axis)} p99 ${logSparkline(view.trend.p99.map(orUndefined), trendWidth, scales.axis)}`)}
      {compact ? (
        line(`10 s q/s ${num(model.throughput.qps10s)} tok/s ${num(model.throughput.tokensPerSec10s)} · 60 s ${sparkline(model.throughput.qpsSeries, 12, scales.qps)} · q ${model.queueDepth} b ${model.batchSize} · err ${model.errors}`)
      ) : (
        <>
          {line(tput('q/s', model.throughput.qps10s, model.throughput.qpsSeries, scales.qps))}
          {line(tput('tok/s', model.throughput.tokensPerSec10s, model.throughput.tokensPerSecSeries, scales.tokens))}
        </>
      )}
      {compact ? line(synthetic ? em : `${em} · ${split}`, synthetic ? theme.muted : undefined) : line(em, synthetic ? theme.muted : undefined)}
      {compact ? null : line(synthetic ? 'the demo models answer at random: compare their timings, not their answers' : split, theme.muted)}
    </Box>
  );
}

/** The trend has one cell per 5 s step over 60 s. */
const TREND_CELLS = 12;

function orUndefined(v: number | null): number | undefined {
  return v === null ? undefined : v;
}
