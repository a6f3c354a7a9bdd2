import { Box, Text } from 'ink';
import type { Snapshot } from '../core/metrics/snapshot.js';
import type { ReplayTimeline } from '../core/session/replay.js';
import type { FailedAnswer } from './hooks/useRunEvents.js';
import type { Mode } from './keys.js';
import { planLayout } from './layout.js';
import { Header } from './panels/Header.js';
import { HelpOverlay } from './panels/HelpOverlay.js';
import { seriesMax } from './format.js';
import { sharedAxis } from './histogram.js';
import { ModelPanel, type SharedScales } from './panels/ModelPanel.js';
import { PowerPanel, powerUnavailableReason } from './panels/PowerPanel.js';
import { ReplayBar } from './panels/ReplayBar.js';
import { replicaLine } from './panels/ReplicaPanel.js';
import { serverLine } from './panels/ServerPanel.js';
import { SegmentPanel } from './panels/SegmentPanel.js';
import { SlowestPanel } from './panels/SlowestPanel.js';
import { StatusBar } from './panels/StatusBar.js';
import { Ticker } from './panels/Ticker.js';
import { effectivePaused, type HistogramMetric, type UiState } from './state.js';

export interface ScreenProps {
  snapshot: Snapshot;
  ui: UiState;
  mode: Mode;
  title: string;
  columns: number;
  rows: number;
  /** Replay speed, when known. */
  speed?: number;
  /** Latest failed requests (from run events), newest first. */
  failures?: readonly FailedAnswer[];
  /** Replay: position, total and the log's segments (one line under the header). */
  timeline?: ReplayTimeline;
}

/** One latency axis and one sparkline scale for both models: their panels compare column by column. */
export function sharedScales(snapshot: Snapshot, metric: HistogramMetric): SharedScales {
  const { A, B } = snapshot.models;
  return {
    axis: sharedAxis([A.latency[metric], B.latency[metric]]),
    qps: seriesMax(A.throughput.qpsSeries, B.throughput.qpsSeries),
    tokens: seriesMax(A.throughput.tokensPerSecSeries, B.throughput.tokensPerSecSeries),
  };
}

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;

/** What the help overlay adds below the keys: the reasons the panels only hint at. */
export function helpNotes(snapshot: Snapshot): string[] {
  const notes: string[] = [];
  const power = powerUnavailableReason(snapshot.power);
  if (power) notes.push(`power n/a: ${power}`);
  return notes;
}

/**
 * The whole screen for one snapshot and one UI state. Pure: no hooks but the theme.
 * The frame is exactly one line shorter than the terminal (Ink then redraws in place)
 * and clips what does not fit, so it neither grows nor scrolls.
 */
export function Screen({ snapshot, ui, mode, title, columns, rows, speed, failures, timeline }: ScreenProps) {
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Box flexDirection="column" width={columns} height={Math.max(1, rows - 1)} overflow="hidden">
        <Text wrap="wrap">{`make the terminal at least ${MIN_COLUMNS}x${MIN_ROWS} (now ${columns}x${rows}) · q quit`}</Text>
      </Box>
    );
  }
  const extra = Math.max(...(['A', 'B'] as const).map((slot) => (serverLine(snapshot.models[slot]) ? 1 : 0) + (replicaLine(snapshot.models[slot]) ? 1 : 0)));
  const plan = planLayout(columns, rows - (timeline ? 1 : 0), extra);
  const { compact, wide } = plan;
  let body;
  if (ui.help) body = <HelpOverlay mode={mode} width={columns} notes={helpNotes(snapshot)} />;
  else if (ui.view === 'slowest') body = <SlowestPanel slowest={snapshot.slowest} width={columns} lines={rows - 1 - 3 - 2} />;
  else {
    const scales = sharedScales(snapshot, ui.metric);
    const model = (slot: 'A' | 'B') => (
      <ModelPanel model={snapshot.models[slot]} metric={ui.metric} scales={scales} width={plan.modelWidth} histRows={plan.histRows} compact={compact} />
    );
    const halfOrFull = wide && !compact ? Math.floor(columns / 2) : columns;
    const power = <PowerPanel power={snapshot.power} energy={snapshot.combined.energy} width={halfOrFull} compact={compact} maxDevices={plan.maxDevices} />;
    const synthetic = snapshot.models.A.info.synthetic || snapshot.models.B.info.synthetic;
    const segments = <SegmentPanel segments={snapshot.segments} width={halfOrFull} compact={compact} synthetic={synthetic} mode={mode} />;
    body = (
      <>
        <Box flexDirection={wide ? 'row' : 'column'}>
          {model('A')}
          {model('B')}
        </Box>
        <Box flexDirection={wide && !compact ? 'row' : 'column'}>
          {power}
          {segments}
        </Box>
        <Ticker recent={snapshot.recent} failures={failures} width={columns} lines={plan.tickerLines} compact={compact} />
      </>
    );
  }
  return (
    <Box flexDirection="column" width={columns} height={rows - 1} overflow="hidden">
      <Box flexShrink={0}>
        <Header snapshot={snapshot} title={title} mode={mode} paused={effectivePaused(ui, snapshot.paused)} stopping={ui.stopping} width={columns} speed={speed} />
      </Box>
      {timeline ? (
        <Box flexShrink={0}>
          <ReplayBar timeline={timeline} width={columns} />
        </Box>
      ) : null}
      <Box flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden">
        {body}
      </Box>
      <Box flexShrink={0}>
        <StatusBar mode={mode} metric={ui.metric} stopping={ui.stopping} message={ui.message} width={columns} />
      </Box>
    </Box>
  );
}
