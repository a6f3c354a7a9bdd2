import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sweepCommand } from '../../source/commands/sweep.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import { UserError } from '../../source/core/errors.js';
import { escapeHtml } from '../../source/core/session/report/escape.js';
import { parseSweepFlags, type RawSweepFlags } from '../../source/core/sweep/flags.js';

const squad = resolve(process.cwd(), 'test/fixtures/squad/tiny-v2.0.json');

function writeProfile(dir: string, slo = 'slo: { e2eMs: 2000 }'): string {
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    [
      'name: sweep',
      'models:',
      '  - { label: small, backend: onnx, path: /fake/small }',
      '  - { label: large, backend: onnx, path: /fake/large }',
      'workload:',
      `  dataset: ${squad}`,
      '  maxNewTokens: 16',
      'telemetry: { source: none }',
      slo,
      '',
    ].join('\n'),
  );
  return file;
}

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk: Buffer, _e, done) => ((text += chunk.toString()), done()) });
  return { stream, text: () => text };
}

/** Fast fake engines on real timers: 4 slots, 5 ms prefill, 1 ms a token. */
const createEngine = async (model: { label: string }) => new FakeEngine({ info: { label: model.label, model: model.label }, prefillMs: 5, perTokenMs: 1, capacity: 4, output: () => 'an answer' });

async function sweep(raw: RawSweepFlags): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await sweepCommand(parseSweepFlags(raw), { stdout: out.stream, stderr: err.stream, prepare: { createEngine } });
  return { code, out: out.text(), err: err.text() };
}

describe('duet sweep, end to end with fake engines', () => {
  it('prints a line per probe and the table, writes the HTML report, and --from rebuilds both from the log', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-sweep-'));
    const log = join(dir, 'sweep.jsonl');
    const base: RawSweepFlags = { profile: writeProfile(dir), policies: 'small-only,round-robin', mode: 'concurrency', grid: '1,2', probeQuestions: '8', probeWarmup: '2', attainment: '0.5' };
    const live = await sweep({ ...base, log });
    expect(live.code, live.err).toBe(0);
    const probeLines = live.out.split('\n').filter((l) => / @ concurrency \d:/.test(l));
    expect(probeLines.map((l) => l.split(':')[0])).toEqual(['small-only @ concurrency 1', 'small-only @ concurrency 2', 'round-robin @ concurrency 1', 'round-robin @ concurrency 2']);
    // 8 of 8 on time: Wilson lower bound 67.6% clears 50%.
    expect(probeLines[0]).toMatch(/pass +attainment 100% \[68-100\] of 8 \(target 50%\)/);
    expect(live.out).toMatch(/^small-only \*? *2 +\[2, >\)/m);
    expect(live.out).toContain(`sweep report: ${join(dir, 'sweep.sweep.html')}`);
    const html = readFileSync(join(dir, 'sweep.sweep.html'), 'utf8');
    expect(html).toContain('<canvas id="chart-pareto"');
    expect(html).toContain('id="sweep-data"');
    const recommendation = live.out.split('\n').find((l) => l.startsWith('At e2e <= 2 s for 50% of questions'));
    expect(recommendation).toBeDefined();
    expect(html).toContain(`<p class="recommendation">${escapeHtml(recommendation!)}</p>`);

    // One session log with a segment per probe.
    const events = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1).map((l) => JSON.parse(l) as { type: string; probe?: unknown });
    expect(events.filter((e) => e.type === 'load-change' && e.probe)).toHaveLength(4);

    const fromLog = await sweep({ from: log, report: join(dir, 'again.html') });
    expect(fromLog.code).toBe(0);
    const table = (text: string) => text.split('\n').filter((l) => /^(small-only|round-robin) /.test(l) && !l.includes(' @ ')).map((l) => l.replace(/ +\S+ \(\d+ probes\)$/, ''));
    expect(table(live.out)).toHaveLength(2);
    expect(table(fromLog.out)).toEqual(table(live.out));
  });

  it('--resume keeps the finished probes of an interrupted sweep and runs only the rest', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-sweep-'));
    const log = join(dir, 'first.jsonl');
    const base: RawSweepFlags = { profile: writeProfile(dir), policies: 'small-only', mode: 'concurrency', grid: '1,2,3', probeQuestions: '8', probeWarmup: '2', attainment: '0.5' };
    expect((await sweep({ ...base, log })).code).toBe(0);
    // Cut the log as a crash would: just after the third probe started (no run-end).
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const third = lines.findIndex((l) => l.includes('"load-change"') && l.includes('"concurrency":3'));
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${lines.slice(0, third + 3).join('\n')}\n`);
    const resumed = await sweep({ ...base, resume: cut, log: join(dir, 'second.jsonl') });
    expect(resumed.code, resumed.err).toBe(0);
    const probeLines = resumed.out.split('\n').filter((l) => / @ concurrency \d:/.test(l)).map((l) => l.split(':')[0]);
    expect(probeLines).toEqual(['resumed small-only @ concurrency 1', 'resumed small-only @ concurrency 2', 'small-only @ concurrency 3']);
    const second = readFileSync(join(dir, 'second.jsonl'), 'utf8');
    expect(second.match(/"probe":\{/g)).toHaveLength(1);
  });

  it('--json: one object per probe, then the summary', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-sweep-'));
    const { code, out } = await sweep({ profile: writeProfile(dir), policies: 'small-only', mode: 'concurrency', grid: '1,2', probeQuestions: '8', probeWarmup: '2', attainment: '0.5', json: true, log: join(dir, 's.jsonl') });
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; load?: number; verdict?: string; policies?: Array<{ policy: string; capacity?: number }>; reportPath?: string });
    expect(lines.map((l) => l.type)).toEqual(['probe', 'probe', 'summary']);
    expect(lines.slice(0, 2).map((l) => [l.load, l.verdict])).toEqual([[1, 'pass'], [2, 'pass']]);
    expect(lines[2]).toMatchObject({ kind: 'duet-sweep', mode: 'concurrency', attainment: 0.5, slo: { e2eMs: 2000 }, pareto: ['small-only'], reportPath: join(dir, 's.sweep.html') });
    expect(lines[2]!.policies).toMatchObject([{ policy: 'small-only', capacity: 2 }]);
  });

  it('needs a latency SLO to search against', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duet-sweep-'));
    const profile = writeProfile(dir, '');
    await expect(sweep({ profile, policies: 'small-only', grid: '1', log: false })).rejects.toThrow(
      new UserError(`${profile}: slo: a sweep needs a latency SLO to search against (set slo.e2eMs in the profile, or --slo e2e=5s)`),
    );
  });
});
