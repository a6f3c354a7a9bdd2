import { Text, Box } from 'ink';
import type { ModelSlot } from '../../core/engines/engine.js';
import { differenceEstimate, separation } from '../../core/metrics/intervals.js';
import type { Estimate, Proportion, SegmentModelFigures, SegmentSummary } from '../../core/metrics/snapshot.js';
import { ms, msDelta, num, padStart, pct, signed, truncate, watts } from '../format.js';
import { useTheme } from '../hooks/useTheme.js';
import type { Mode } from '../keys.js';
import type { Colour } from '../theme.js';

export interface SegmentPanelProps {
  segments: readonly SegmentSummary[];
  width: number;
  compact: boolean;
  /** Accuracy of synthetic weights compares nothing: EM rows are shown, never coloured. */
  synthetic?: boolean;
  /** A replay gets no hints about keys it does not have. */
  mode?: Mode;
}

type Figure = 'p50' | 'p99' | 'q/s' | 'EM';
const FIGURES: readonly Figure[] = ['p50', 'p99', 'q/s', 'EM'];
const SLOTS: readonly ModelSlot[] = ['A', 'B'];

export interface DeltaRow {
  slot: ModelSlot;
  figure: Figure;
  prev: string;
  now: string;
  /** n of the previous and the current segment. */
  n: string;
  delta: string;
  /** The delta with its 95% interval, short form (compact). */
  short: string;
  /** +1 better, -1 worse, 0 while the interval holds zero (grey). */
  verdict: number;
}

function estimateOf(figures: SegmentModelFigures | undefined, figure: Figure): Estimate | undefined {
  if (!figures) return undefined;
  if (figure === 'p50') return figures.e2eP50;
  if (figure === 'p99') return figures.e2eP99;
  if (figure === 'q/s') return figures.qps;
  const em: Proportion | undefined = figures.em;
  return em?.value === undefined ? undefined : { value: em.value, low: em.low, high: em.high };
}

const lowerIsBetter: Record<Figure, boolean> = { p50: true, p99: true, 'q/s': false, EM: false };

function valueText(figure: Figure, v: number | undefined): string {
  if (figure === 'p50' || figure === 'p99') return ms(v);
  if (figure === 'EM') return pct(v);
  return num(v);
}

function deltaText(figure: Figure, v: number | undefined): string {
  if (figure === 'p50' || figure === 'p99') return msDelta(v);
  return signed(v, figure === 'EM' ? 1 : 2);
}

/** "+7ms [-3ms, +15ms]": a delta and its interval, `?` for an open bound. */
export function withInterval(figure: Figure, d: Estimate): string {
  const bound = (v: number | undefined) => (v === undefined ? '?' : deltaText(figure, v));
  return `${deltaText(figure, d.value)} [${bound(d.low)}, ${bound(d.high)}]`;
}

/** Per model and figure: previous, current, the delta with its 95% interval and whether the interval excludes zero. */
export function deltaRows(prev: SegmentSummary | undefined, cur: SegmentSummary, synthetic = false): DeltaRow[] {
  const rows: DeltaRow[] = [];
  for (const figure of FIGURES) {
    for (const slot of SLOTS) {
      const p = prev?.models?.[slot];
      const c = cur.models?.[slot];
      const a = estimateOf(p, figure);
      const b = estimateOf(c, figure);
      const d = a && b ? differenceEstimate(a, b) : undefined;
      const sign = d ? separation(d) : 0;
      const meaningless = figure === 'EM' && synthetic;
      rows.push({
        slot,
        figure,
        prev: prev ? valueText(figure, a?.value) : '',
        now: valueText(figure, b?.value),
        n: `${p ? `${p.completed}|` : ''}${c?.completed ?? 0}`,
        delta: meaningless ? 'not meaningful' : d ? withInterval(figure, d) : '',
        short: meaningless || !d ? '' : `${figure} ${withInterval(figure, d)}`,
        verdict: meaningless || sign === 0 ? 0 : lowerIsBetter[figure] ? -sign : sign,
      });
    }
  }
  return rows;
}

/** The cascade line (escalation and the EM it bought), else the mean power of both segments. */
export function footer(prev: SegmentSummary | undefined, cur: SegmentSummary, synthetic: boolean, mode: Mode = 'live'): string {
  if (cur.escalationRate !== undefined) {
    const bought = synthetic ? 'not meaningful (synthetic)' : `${signed(cur.emBought, 1)} pts`;
    return `escalated ${pct(100 * cur.escalationRate, 0)} · EM bought ${bought}`;
  }
  if (!prev) return mode === 'live' ? 'p, 1-8, +/- or [/] start a new segment to compare with this one' : 'the only segment so far';
  if (prev.meanPowerW === undefined && cur.meanPowerW === undefined) return mode === 'live' ? 'p, 1-8, +/- or [/] start the next segment' : '';
  return `power ${watts(prev.meanPowerW)} → ${watts(cur.meanPowerW)}`;
}

/** The A/B comparison: per model, the current segment against the previous one, grey until a delta's interval excludes zero. */
export function SegmentPanel({ segments, width, compact, synthetic = false, mode = 'live' }: SegmentPanelProps) {
  const theme = useTheme();
  const inner = Math.max(10, width - (compact ? 0 : 4));
  const cur = segments[segments.length - 1];
  const prev = segments[segments.length - 2];
  const colour = (v: number): Colour => (v > 0 ? theme.good : v < 0 ? theme.bad : theme.muted);
  const title = !cur
    ? 'no segment yet'
    : prev
      ? `Δ #${cur.index} ${cur.policy} vs #${prev.index} ${prev.policy} · 95% intervals`
      : `segment #${cur.index} ${cur.policy} (the first)`;
  const rows = cur ? deltaRows(prev, cur, synthetic) : [];
  const foot = cur ? footer(prev, cur, synthetic, mode) : '';
  if (compact) {
    const lines = SLOTS.map((slot) => {
      const mine = rows.filter((r) => r.slot === slot);
      const n = mine[0]?.n ?? '0';
      return { slot, n, parts: mine.filter((r) => r.short !== '') };
    });
    return (
      <Box flexDirection="column" height={3}>
        <Text bold wrap="truncate">{truncate(`${title} · ${foot}`, inner)}</Text>
        {lines.map(({ slot, n, parts }) => (
          <Text key={slot} wrap="truncate">
            {truncate(`${slot} n ${n}`, inner)}
            {parts.map((r) => (
              <Text key={r.figure} color={colour(r.verdict)}>{` ${r.short}`}</Text>
            ))}
          </Text>
        ))}
      </Box>
    );
  }
  const w = Math.max(6, Math.min(8, Math.floor((inner - 6) / 6)));
  const nw = Math.max(5, Math.min(9, Math.floor((inner - 6) / 6)));
  return (
    <Box flexDirection="column" width={width} height={13} borderStyle="round" borderColor={theme.muted} paddingX={1}>
      <Text bold wrap="truncate">{truncate(title, inner)}</Text>
      <Text color={theme.muted} wrap="truncate">
        {truncate(`${''.padEnd(6)}${padStart('n', nw)}${padStart(prev ? `#${prev.index}` : '', w)}${padStart(cur ? `#${cur.index}` : '', w)}  Δ [95%]`, inner)}
      </Text>
      {rows.map((r) => (
        <Text key={`${r.slot}${r.figure}`} wrap="truncate">
          {`${r.slot} ${r.figure.padEnd(4)}`}
          {padStart(r.n, nw)}
          {padStart(r.prev, w)}
          {padStart(r.now, w)}
          <Text color={colour(r.verdict)}>{truncate(`  ${r.delta}`, Math.max(0, inner - 6 - nw - 2 * w))}</Text>
        </Text>
      ))}
      <Text color={theme.muted} wrap="truncate">{truncate(foot, inner)}</Text>
    </Box>
  );
}
