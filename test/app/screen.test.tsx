import chalk from 'chalk';
import { describe, expect, it } from 'vitest';
import { planLayout } from '../../source/app/layout.js';
import { PowerPanel, powerUnavailableReason } from '../../source/app/panels/PowerPanel.js';
import { SYNTHETIC_BADGE } from '../../source/app/panels/Header.js';
import { deltaRows } from '../../source/app/panels/SegmentPanel.js';
import { breakdown } from '../../source/app/panels/SlowestPanel.js';
import { Screen } from '../../source/app/Screen.js';
import { initialUiState, type UiState } from '../../source/app/state.js';
import { noColorFromEnv } from '../../source/app/theme.js';
import type { Snapshot } from '../../source/core/metrics/snapshot.js';
import type { ModelFigures } from '../../source/core/metrics/snapshot.js';
import { engineInfo, group, latencyView, model, power, record, snapshot } from './fixtures.js';
import { renderAt } from './render.js';

function screen(snap: Snapshot, columns: number, rows: number, ui: UiState = initialUiState, mode: 'live' | 'replay' = 'live') {
  return renderAt(<Screen snapshot={snap} ui={ui} mode={mode} title="default" columns={columns} rows={rows} />, { columns, rows });
}

const lineOf = (lines: string[], text: string) => lines.findIndex((l) => l.includes(text));

describe('layout', () => {
  it.each([
    [80, 24],
    [99, 30],
    [100, 30],
    [120, 40],
    [120, 24],
    [200, 60],
    [80, 60],
  ])('fits %ix%i: the frame is shorter than the terminal and no line is wider', (columns, rows) => {
    const s = screen(snapshot(), columns, rows);
    const lines = s.lines();
    expect(lines.length).toBeLessThanOrEqual(rows - 1);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
    s.unmount();
  });

  it('keeps the percentile legend on one line in narrow side-by-side columns: the legend text gives way', () => {
    const slow = latencyView({}, { count: 9, p50: 380, p90: 6760, p99: 11_300 });
    const latency = Object.fromEntries(Object.keys(model('B').latency).map((m) => [m, slow])) as ModelFigures['latency'];
    const snap = snapshot({ models: { A: model('A', { latency }), B: model('B', { latency }) } });
    const s = screen(snap, 110, 36);
    const legendLines = s.lines().filter((line) => line.includes('p50 380ms'));
    expect(legendLines).toHaveLength(1);
    expect(legendLines[0]).toContain('p99 11.3s');
    expect(legendLines[0]).toMatch(/n=9 .*p50 380ms .*p90 6\.76s p99 11\.3s/);
    s.unmount();
  });

  it('puts the models side by side from 100 columns and stacks them below', () => {
    const wide = screen(snapshot(), 100, 40);
    let lines = wide.lines();
    expect(lineOf(lines, 'A small')).toBe(lineOf(lines, 'B large'));
    wide.unmount();
    const narrow = screen(snapshot(), 99, 40);
    lines = narrow.lines();
    expect(lineOf(lines, 'B large')).toBeGreaterThan(lineOf(lines, 'A small') + 5);
    narrow.unmount();
  });

  it('at 80x24 keeps every panel (shortened) and still shows the keys', () => {
    const s = screen(snapshot(), 80, 24);
    const frame = s.lastFrame();
    for (const text of ['A small', 'B large', 'p50 45ms', 'q/s 3.20', 'EM run 45.0% [36–54]', 'power 92.5 W', 'Δ #2 cascade vs #1 round-robin', 'colour of unicor', 'treaty', 'p policy']) {
      expect(frame).toContain(text);
    }
    expect(planLayout(80, 24)).toMatchObject({ wide: false, compact: true, histRows: 1 });
    s.unmount();
  });

  it('redraws at the new width on resize', async () => {
    const s = renderAt(<Resizable />, { columns: 120, rows: 40 });
    let lines = s.lines();
    expect(lineOf(lines, 'A small')).toBe(lineOf(lines, 'B large'));
    s.resize(80, 24);
    await new Promise((r) => setTimeout(r, 20));
    lines = s.lines();
    expect(lineOf(lines, 'B large')).toBeGreaterThan(lineOf(lines, 'A small'));
    expect(lines.length).toBeLessThanOrEqual(23);
    s.unmount();
  });
});

import { useTerminalSize } from '../../source/app/hooks/useTerminalSize.js';
function Resizable() {
  const { columns, rows } = useTerminalSize();
  return <Screen snapshot={snapshot()} ui={initialUiState} mode="live" title="default" columns={columns} rows={rows} />;
}

describe('header', () => {
  it('shows the synthetic-weights badge when any model is synthetic, and only then', () => {
    const synthetic = snapshot({ models: { A: model('A'), B: model('B', { info: engineInfo('B', { synthetic: true }) }) } });
    let s = screen(synthetic, 120, 40);
    expect(s.lines()[0]).toContain(SYNTHETIC_BADGE);
    s.unmount();
    s = screen(synthetic, 80, 24);
    expect(s.lines()[0]).toContain('SYNTHETIC WEIGHTS');
    s.unmount();
    s = screen(snapshot(), 120, 40);
    expect(s.lastFrame()).not.toContain('SYNTHETIC');
    s.unmount();
  });

  it('shows policy, load (concurrency or rate), weight for weighted, elapsed and progress', () => {
    let s = screen(snapshot({ policy: 'weighted', weight: 0.7, load: { mode: 'open', rate: 2.5 }, elapsedMs: 125_000 }), 120, 40);
    expect(s.lines()[1]).toContain('policy weighted · weight A 0.70 · rate 2.50 q/s · 2:05 · 120/500 done');
    s.unmount();
    s = screen(snapshot(), 120, 40);
    expect(s.lines()[1]).toContain('policy round-robin · concurrency 4 · 1:23');
    s.unmount();
  });

  it('does not say duet twice when the title already does', () => {
    const s = renderAt(<Screen snapshot={snapshot()} ui={initialUiState} mode="live" title="duet: default" columns={120} rows={40} />, { columns: 120, rows: 40 });
    expect(s.lines()[0]).toMatch(/^duet: default · onnx · cpu/);
    s.unmount();
  });

  it('shows PAUSED from the snapshot, REPLAY in replay mode, and the backend and device', () => {
    const s = screen(snapshot({ paused: true }), 120, 40, initialUiState, 'replay');
    expect(s.lines()[0]).toMatch(/PAUSED.*REPLAY/);
    expect(s.lines()[0]).toContain('duet · default · onnx · cpu');
    s.unmount();
  });
});

describe('model columns', () => {
  it('shows a down or starting model clearly', () => {
    const snap = snapshot({ models: { A: model('A', { state: 'starting' }), B: model('B', { state: 'down', stateDetail: 'exit code 1' }) } });
    const s = screen(snap, 120, 40);
    expect(s.lastFrame()).toContain('STARTING…');
    expect(s.lastFrame()).toContain('DOWN: exit code 1');
    s.unmount();
  });

  it('counts requests cancelled at quit apart from errors', () => {
    const s = screen(snapshot({ models: { A: model('A', { errors: 0, cancelled: 2 }), B: model('B') } }), 120, 40);
    expect(s.lastFrame()).toMatch(/errors 0 · 2 cancelled +│/);
    s.unmount();
  });

  it('shows queue, batch and errors, and the accuracy split with its interval', () => {
    const s = screen(snapshot({ models: { A: model('A', { errors: 3, timeouts: 1 }), B: model('B') } }), 120, 40);
    const frame = s.lastFrame();
    expect(frame).toContain('queue 2 · running 3 · batch 4 · errors 3 (1 timeouts)');
    expect(frame).toContain('EM run 45.0% [36–54] F1 51.2% · n 120');
    expect(frame).toContain('ans EM 40.0% F1 52.5% (n 60) · unans EM 50.0% (n 60)');
    s.unmount();
  });
});

describe('power', () => {
  const noPower = power({ status: [{ source: 'npu-smi', state: 'unavailable', reason: 'npu-smi not found on PATH', intervalMs: 1000 }], devices: [], powerW: undefined, powerSeries: [], joules: undefined, samples: 0 });

  it('says n/a with the reason, never a fake zero', () => {
    const s = screen(snapshot({ power: noPower, combined: group({ energy: { estimated: false } }) }), 120, 40);
    const frame = s.lastFrame();
    expect(frame).toContain('power n/a (? says why)');
    expect(frame).not.toContain('npu-smi not found on PATH');
    expect(frame).not.toMatch(/(^|[^\d.])0(\.0+)? W/m);
    expect(frame).not.toMatch(/(^|[^\d.])0(\.0+)? k?J/m);
    s.unmount();
  });

  it('spends one line on n/a and gives the whole reason in the help overlay', () => {
    const reason = 'npu-smi not found (looked for "npu-smi" on PATH); nvidia-smi: not found; rapl: /sys/class/powercap is not readable';
    const p = power({ status: [{ source: 'npu-smi', state: 'unavailable', reason, intervalMs: 1000 }], devices: [], powerW: undefined, powerSeries: [], samples: 0 });
    const panel = renderAt(<PowerPanel power={p} energy={{ estimated: false }} width={60} compact={false} maxDevices={2} />, { columns: 60 });
    expect(panel.lines()).toHaveLength(4); // border, title, the n/a line, border
    panel.unmount();
    const help = screen(snapshot({ power: p }), 120, 40, { ...initialUiState, help: true });
    const text = help.lines().map((l) => l.replace(/^║ | *║$/g, '').trim()).join(' ');
    expect(text).toContain(`power n/a: npu-smi: ${reason}`);
    help.unmount();
  });

  it('explains a source that gives utilisation but no power, and still shows the device', () => {
    const sys = power({ status: [{ source: 'system', state: 'ok', intervalMs: 1000 }], devices: [{ id: 'system', utilPct: 37, memUsedMiB: 3000, memTotalMiB: 8000 }], powerW: undefined, powerSeries: [] });
    expect(powerUnavailableReason(sys)).toBe('system gives no power reading');
    const s = renderAt(<PowerPanel power={sys} energy={{ estimated: false }} width={80} compact={false} maxDevices={2} />, { columns: 80 });
    expect(s.lastFrame()).toContain('power n/a (? says why)');
    expect(s.lastFrame()).toContain('system · util 37% · mem 2.9G/7.8G');
    s.unmount();
  });

  it('shows watts, energy, q/s per W, J per correct and each device', () => {
    const s = screen(snapshot(), 120, 40);
    const frame = s.lastFrame();
    expect(frame).toContain('now 92.5 W');
    expect(frame).toContain('energy 1.23 kJ · 0.052 q/s per W · 22.8 J/correct');
    expect(frame).toContain('npu0.0 910B · 92.5 W · util 71% · mem 20.0G/64.0G · 54°C');
    s.unmount();
  });
});

describe('segments, ticker, slowest', () => {
  it('shows per-model rows with n per side and each delta with its 95% interval', () => {
    const s = screen(snapshot(), 120, 40);
    const frame = s.lastFrame();
    expect(frame).toContain('Δ #2 cascade vs #1 round-robin · 95% intervals');
    // A p50 40 [36, 44] -> 30 [27, 33]: -10, down hypot(3, 4) = 5, up hypot(3, 4) = 5.
    expect(frame).toMatch(/│ A p50\s+30\|60\s+40ms\s+30ms\s+-10ms \[-15ms, -5\.0ms\]/);
    // B p50 60 [55, 66] -> 62 [50, 80]: +2, down hypot(12, 6) = 13.4, up hypot(18, 5) = 18.7.
    expect(frame).toMatch(/│ B p50\s+30\|15\s+60ms\s+62ms\s+\+2\.0ms \[-11ms, \+21ms\]/);
    expect(frame).toMatch(/│ B p99\s+30\|15\s+150ms\s+160ms\s+\+10ms \[\?, \?\]/);
    expect(frame).toContain('escalated 25% · EM bought +5.0 pts');
    s.unmount();
  });

  it('colours a delta only once its interval excludes zero, by whether that is better or worse', () => {
    const [prev, cur] = snapshot().segments;
    const rows = deltaRows(prev, cur!);
    const verdict = (slot: string, figure: string) => rows.find((r) => r.slot === slot && r.figure === figure)!.verdict;
    expect(verdict('A', 'p50')).toBe(1); // [-15, -5] ms: faster
    expect(verdict('B', 'p50')).toBe(0); // [-11, +21] ms holds zero: grey
    expect(verdict('A', 'p99')).toBe(0); // open interval
    expect(verdict('A', 'q/s')).toBe(1); // +0.75 [+0.28, +1.22]
    expect(verdict('B', 'q/s')).toBe(-1); // -0.37: down hypot(.19, .27) = .33, up hypot(.18, .27) = .32 -> [-0.70, -0.05]
    expect(rows.find((r) => r.slot === 'B' && r.figure === 'q/s')!.delta).toBe('-0.37 [-0.70, -0.05]');
    expect(verdict('B', 'EM')).toBe(0); // +20 [-10, +45]
  });

  it('keeps its height before the first switch (no layout jump) and says how to start a segment', () => {
    const one = screen(snapshot({ segments: [snapshot().segments[0]!] }), 120, 40);
    const two = screen(snapshot(), 120, 40);
    expect(one.lastFrame()).toContain('segment #1 round-robin (the first)');
    expect(one.lastFrame()).toContain('p, 1-8, +/- or [/] start a new segment');
    expect(one.lastFrame()).toMatch(/│ A p50\s+30\s+40ms/);
    expect(lineOf(one.lines(), 'unicorn')).toBe(lineOf(two.lines(), 'unicorn'));
    one.unmount();
    two.unmount();
  });

  it('with synthetic weights says accuracy is not meaningful instead of colouring a loser', () => {
    const synthetic = engineInfo('B', { synthetic: true });
    const [prev, cur] = snapshot().segments;
    const em = deltaRows(prev, cur!, true).filter((r) => r.figure === 'EM');
    expect(em.map((r) => [r.delta, r.verdict])).toEqual([['not meaningful', 0], ['not meaningful', 0]]);
    const s = screen(snapshot({ models: { A: model('A', { info: engineInfo('A', { synthetic: true }) }), B: model('B', { info: synthetic }) } }), 120, 40);
    const frame = s.lastFrame();
    expect(frame).toContain('EM/F1 not meaningful (synthetic weights) · n 120');
    expect(frame).not.toContain('EM run 45.0%');
    expect(frame).toContain('escalated 25% · EM bought not meaningful (synthetic)');
    s.unmount();
  });

  it('lists the latest answers newest first with hit/miss, prediction and gold', () => {
    const s = screen(snapshot(), 120, 44);
    const lines = s.lines();
    const first = lineOf(lines, 'unicorn');
    expect(lines[first]).toMatch(/✓ A .*→ \(no answer\).*gold \(unanswerable\)/);
    expect(lines[first + 1]).toMatch(/✗ B .*→ 1648 .*gold 1649/);
    expect(lines[first + 2]).toMatch(/✓ A .*Seine.*gold the Seine \(\+1\)/);
    s.unmount();
  });

  it('shows failed requests in line with the answers, with the error', () => {
    const failures = [{ seq: 121, model: 'B' as const, question: 'Who built the bridge?', error: 'onnxruntime failed: token_ids must be a non-empty array', e2eMs: 3800 }];
    const s = renderAt(<Screen snapshot={snapshot()} ui={initialUiState} mode="live" title="default" columns={120} rows={40} failures={failures} />, { columns: 120, rows: 40 });
    const lines = s.lines();
    const first = lineOf(lines, 'Who built the bridge?');
    expect(lines[first]).toMatch(/! B  3\.80s Who built the bridge\?\s+→ error: onnxruntime failed: token_ids must be a non-empty/);
    expect(lines[first + 1]).toContain('unicorn'); // then the newest answer
    s.unmount();
  });

  it('breaks a slow request into pre/queue/ttft/decode/post, slowest first', () => {
    expect(breakdown(record(1))).toEqual({ pre: 10, queue: 100, ttft: 300, decode: 500, post: 5, e2e: 915 });
    const s = screen(snapshot(), 120, 40, { ...initialUiState, view: 'slowest' });
    const lines = s.lines();
    const row9 = lineOf(lines, '│ 9 ');
    const row7 = lineOf(lines, '│ 7 ');
    expect(row9).toBeGreaterThan(0);
    expect(row9).toBeLessThan(row7);
    expect(lines[row7]).toMatch(/915ms\s+10ms\s+100ms\s+300ms\s+500ms\s+5\.0ms\s+12/);
    s.unmount();
  });

  it('shows the help overlay with every key', () => {
    const s = screen(snapshot(), 120, 40, { ...initialUiState, help: true });
    for (const key of ['p ', '1-8', '+/-', '[/]', 'space', 'Tab', 's ', 'v ', '? ', 'q ']) expect(s.lastFrame()).toContain(`║ ${key}`);
    s.unmount();
  });
});

describe('theme', () => {
  /** The foreground colour code in force where `text` starts on the frame line holding it (undefined: none). */
  function colourAt(frame: string, text: string): string | undefined {
    const line = frame.split('\n').find((l) => l.includes(text));
    expect(line, text).toBeTypeOf('string');
    let colour: string | undefined;
    for (const [code, value] of [...line!.slice(0, line!.indexOf(text)).matchAll(/\u001B\[(\d+)m/g)].map((m) => [m[0], Number(m[1])] as const)) {
      if ((value >= 30 && value <= 37) || (value >= 90 && value <= 97)) colour = code;
      else if (value === 39) colour = undefined;
    }
    return colour;
  }

  /** The screen with Ink's colours switched on (a test's stdout is not a terminal, so chalk would print none). */
  function colouredFrame(noColor: boolean): string {
    const level = chalk.level;
    chalk.level = 1;
    try {
      const s = renderAt(<Screen snapshot={snapshot()} ui={initialUiState} mode="live" title="default" columns={120} rows={40} />, { columns: 120, rows: 40, noColor });
      const frame = s.lastFrame();
      s.unmount();
      return frame;
    } finally {
      chalk.level = level;
    }
  }

  it('reads NO_COLOR as set when present and non-empty', () => {
    expect(noColorFromEnv({ NO_COLOR: '1' })).toBe(true);
    expect(noColorFromEnv({ NO_COLOR: '' })).toBe(false);
    expect(noColorFromEnv({})).toBe(false);
  });

  it('with colours, tells the models apart and a better delta from a worse and an undecided one', () => {
    const frame = colouredFrame(false);
    const [a, b] = [colourAt(frame, 'A small'), colourAt(frame, 'B large')];
    expect(a).toBeTypeOf('string');
    expect(b).toBeTypeOf('string');
    expect(a).not.toBe(b);
    // A p50 -10 ms [-15, -5] is better, B q/s -0.37 [-0.70, -0.05] worse, B p50 +2.0 ms [-11, +21] undecided.
    const verdicts = [colourAt(frame, '-10ms ['), colourAt(frame, '-0.37 ['), colourAt(frame, '+2.0ms [')];
    expect(verdicts.every((c) => c !== undefined)).toBe(true);
    expect(new Set(verdicts).size).toBe(3);
  });

  it('with NO_COLOR prints no colour at all and keeps emphasis', () => {
    const frame = colouredFrame(true);
    expect(frame.match(/\u001B\[(3\d|4\d|9\d|10\d)m/g) ?? []).toEqual([]);
    expect(frame).toContain('\u001B[1m');
    expect(frame).toContain('A small');
  });
});
