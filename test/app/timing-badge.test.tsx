import { describe, expect, it } from 'vitest';
import { timingBadge } from '../../source/app/components/timing-badge.js';
import { Screen } from '../../source/app/Screen.js';
import { initialUiState } from '../../source/app/state.js';
import { createTheme } from '../../source/app/theme.js';
import type { MeasuringFigures, MeasuringSample } from '../../source/core/plane/guard.js';
import { snapshot } from './fixtures.js';
import { renderAt } from './render.js';

const theme = createTheme(false);
const figures = (verdict: MeasuringSample['verdict'], inflationMs: number): MeasuringFigures => ({
  latest: { intervalMs: 1000, main: { loopDelayP99Ms: 1, loopDelayMaxMs: 2, utilisation: 0.3 }, verdict, inflationMs },
  samples: 10,
  warnSamples: verdict === 'warn' ? 1 : 0,
  boundSamples: verdict === 'bound' ? 1 : 0,
  boundShare: verdict === 'bound' ? 0.1 : 0,
  worstInflationMs: verdict === 'ok' ? 0 : inflationMs,
});

describe('timing badge', () => {
  it('is green "timing ok", amber with the possible inflation, red when the client is the bottleneck', () => {
    expect(timingBadge(figures('ok', 0.3), theme)).toEqual({ label: 'timing ok', colour: 'green' });
    expect(timingBadge(figures('warn', 3.2), theme)).toEqual({ label: 'timing ±4ms', colour: 'yellow' });
    expect(timingBadge(figures('bound', 41), theme)).toEqual({ label: 'CLIENT-BOUND ±41ms', colour: 'red' });
  });

  it('is absent before the guard has sampled', () => {
    expect(timingBadge({ samples: 0, warnSamples: 0, boundSamples: 0, boundShare: 0, worstInflationMs: 0 }, theme)).toBeUndefined();
  });

  it('shows in the header of the live screen', () => {
    const s = renderAt(<Screen snapshot={snapshot({ measuring: figures('bound', 12) })} ui={initialUiState} mode="live" title="default" columns={120} rows={40} />, { columns: 120, rows: 40 });
    expect(s.lines().slice(0, 2).join('\n')).toContain('CLIENT-BOUND ±12ms');
    s.unmount();
  });
});
