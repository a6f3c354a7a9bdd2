import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../source/app/App.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import { scoreAnswer } from '../../source/core/eval/squad-score.js';
import { MetricsStore } from '../../source/core/metrics/store.js';
import { profileSchema } from '../../source/core/profile/schema.js';
import type { RunEvent } from '../../source/core/events.js';
import { startRun } from '../../source/core/run/controller.js';
import type { SessionHeader } from '../../source/core/session/header.js';
import { createReplay } from '../../source/core/session/replay.js';
import { renderAt, tick, waitFor, type Rendered } from './render.js';

/** The screen on a real run controller, real metrics store and fake engines (real clock, fast). */
let screen: Rendered | undefined;
afterEach(() => screen?.unmount());

function testProfile() {
  return profileSchema.parse({
    name: 'it',
    models: [
      { label: 'small', backend: 'onnx', path: '/m/small' },
      { label: 'large', backend: 'onnx', path: '/m/large' },
    ],
    workload: { dataset: 'squad.json', load: { mode: 'closed', concurrency: 2 } },
  });
}

async function liveRun() {
  const profile = profileSchema.parse({
    name: 'it',
    models: [
      { label: 'small', backend: 'onnx', path: '/m/small' },
      { label: 'large', backend: 'onnx', path: '/m/large' },
    ],
    workload: { dataset: 'squad.json', load: { mode: 'closed', concurrency: 2 } },
  });
  const engine = (label: string, perTokenMs: number) =>
    new FakeEngine({ info: { label, model: `demo-${label}` }, prefillMs: 5, perTokenMs, output: (r) => r.promptText.split('|')[1] ?? '' });
  const store = new MetricsStore();
  const questions = Array.from({ length: 5000 }, (_, i) => ({ id: `q${i}`, question: `question number ${i}?`, answers: i % 4 === 3 ? [] : [`answer ${i}`], isImpossible: i % 4 === 3 }));
  return startRun({
    profile,
    engines: { A: engine('small', 1), B: engine('large', 3) },
    questions,
    buildPrompt: (q) => ({ messages: [], promptText: `${q.id}|${q.answers[0] ?? ''}`, promptIds: [1, 2, 3], promptTokens: 3, contextTrimmed: false }),
    extractAnswer: (raw) => raw.trim(),
    scoreAnswer,
    metrics: store,
    quitGraceMs: 200,
  });
}

describe('TUI on a real run', () => {
  it('shows live figures, and p / + / space / q change the run and the screen', async () => {
    const run = await liveRun();
    screen = renderAt(<App handle={run} mode="live" title="it" tickMs={100} />, { columns: 120, rows: 40 });
    const s = screen;
    expect(await waitFor(() => /▸ E2E +[0-9.]+m?s +[0-9.]+m?s +[0-9.]+m?s +[1-9]/.test(s.lastFrame()))).toBe(true);
    expect(s.lastFrame()).toContain('SYNTHETIC WEIGHTS'); // fake engines are synthetic
    expect(s.lines()[1]).toContain('policy round-robin · concurrency 2');
    expect(s.lastFrame()).toMatch(/✓ [AB] /);

    s.stdin.write('p');
    expect(await waitFor(() => s.lines()[1]!.includes('policy shortest-queue'))).toBe(true);
    expect(s.lastFrame()).toContain('policy round-robin → shortest-queue (segment 1)');

    s.stdin.write('+');
    expect(await waitFor(() => s.lines()[1]!.includes('concurrency 3'))).toBe(true);

    s.stdin.write(' ');
    expect(await waitFor(() => s.lines()[0]!.includes('PAUSED'))).toBe(true);
    expect(await waitFor(() => run.snapshot().paused)).toBe(true);
    await tick(250); // a few ticks later the badge comes from the run itself
    expect(s.lines()[0]).toContain('PAUSED');

    s.stdin.write('q');
    expect(await waitFor(() => s.lines()[0]!.includes('stopping…'))).toBe(true);
    const outcome = await run.finished;
    expect(outcome.reason).toBe('quit');
  });
});

describe('TUI on a replay', () => {
  it('plays a recorded run back; + doubles the speed, → seeks, q quits', async () => {
    const run = await liveRun();
    const events: RunEvent[] = [];
    run.subscribe((e) => events.push(e));
    await tick(1500);
    run.send({ type: 'quit' });
    await run.finished;
    const start = events.find((e) => e.type === 'run-start');
    const header: SessionHeader = {
      kind: 'duet-session',
      schema: 1,
      duetVersion: 'test',
      wallStart: new Date().toISOString(),
      profile: testProfile(),
      host: { cpuModel: 'test', cores: 2, memoryBytes: 1, freeMemoryBytes: 1, os: 'test', arch: 'x64', node: process.version },
      models: start?.type === 'run-start' ? start.models : (undefined as never),
      dataset: { path: 'squad.json', questions: 5000 },
    };
    const replay = createReplay({ header, events, path: 'logs/it.jsonl' });
    screen = renderAt(<App handle={replay} mode="replay" title="it.jsonl" tickMs={50} />, { columns: 120, rows: 40 });
    const s = screen;
    expect(await waitFor(() => s.lines()[0]!.includes('REPLAY') && s.lines()[1]!.includes('speed ×1.00'))).toBe(true);
    s.stdin.write('+');
    expect(await waitFor(() => s.lines()[1]!.includes('speed ×2.00'))).toBe(true);
    s.stdin.write('\u001B[C');
    expect(replay.playhead()).toBeGreaterThanOrEqual(1000);
    s.stdin.write('q');
    const outcome = await replay.finished;
    expect(['quit', 'finished']).toContain(outcome.reason); // seeking 10 s may reach the end of this short log
  });
});
