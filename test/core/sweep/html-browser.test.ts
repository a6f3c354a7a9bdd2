import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicySweep } from '../../../source/core/sweep/driver.js';
import { renderSweepHtml } from '../../../source/core/sweep/html.js';
import type { ProbeResult } from '../../../source/core/sweep/probe.js';
import { summarise } from '../../../source/core/sweep/summary.js';

/** The sweep report in a real browser (Debian's chromium, headless): every chart is built, nothing reaches the console. */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars'];

function probe(policy: string, load: number, verdict: ProbeResult['verdict'], e2eP99: number): ProbeResult {
  const value = verdict === 'pass' ? 100 : verdict === 'fail' ? 40 : 90;
  return {
    segment: 1, policy, mode: 'rate', load, verdict, overSaturated: false, questions: 35, answered: 35, target: 0.9,
    attainment: { value, low: value - 10, high: Math.min(100, value + 5), n: 35 },
    em: { value: 60, low: 45, high: 74, n: 35 }, f1: 62, e2eP50: e2eP99 / 4, e2eP99, goodput: (load * value) / 100,
  };
}

describe.skipIf(!existsSync(CHROMIUM))('sweep HTML report in headless Chromium', () => {
  it('builds the Pareto chart and the four curves with no console output; a path with markup stays text', { timeout: 120_000 }, async () => {
    const sweeps: PolicySweep[] = [
      // e2e p99 from 80 ms to 9 s: the latency axes span decades (logarithmic).
      { policy: 'cascade', probes: [probe('cascade', 2, 'pass', 80), probe('cascade', 4, 'pass', 400), probe('cascade', 8, 'fail', 9000)], search: { low: 4, high: 8, unresolved: [], end: 'bracketed' } },
      { policy: 'large-only', probes: [probe('large-only', 2, 'unresolved', 3000), probe('large-only', 1, 'pass', 900)], search: { low: 1, unresolved: [2], end: 'probe-limit' } },
    ];
    const summary = summarise(sweeps, { mode: 'rate', slo: { e2eMs: 5000 }, attainment: 0.9, interrupted: false, synthetic: true, logPath: 'logs/<b>x</b>.jsonl' });
    const dir = await mkdtemp(path.join(tmpdir(), 'duet-sweep-browser-'));
    const file = path.join(dir, 'sweep.html');
    await writeFile(file, renderSweepHtml(summary));
    const result = await execa(CHROMIUM, [...FLAGS, '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${file}`], { reject: false, timeout: 90_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.includes(':CONSOLE'))).toEqual([]);
    expect(result.stdout).toContain('<body data-charts="5">');
    expect(result.stdout).toContain('&lt;b&gt;x&lt;/b&gt;.jsonl');
    expect(result.stdout).toContain('cascade serves 4 q/s at EM 60% [45-74]');
  });
});
