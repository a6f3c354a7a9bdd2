import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VirtualTime } from '../../source/core/scheduler/timers.js';
import { goldEngine, makeProfile, startHarness } from '../core/run/harness.js';

/**
 * The exit codes the README promises: 2 for a usage mistake (a missing or extra argument, an
 * unknown flag or command, a malformed value), 1 when a run answered nothing, 130 after
 * SIGINT, which Ctrl-C in the live screen is too (the screen's raw mode turns it into a key).
 */
const duet = (args: string[]) =>
  promisify(execFile)(process.execPath, ['bin/duet.js', ...args]).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );

describe('exit codes', () => {
  it.each([
    [['compare', 'one.jsonl'], 'duet: compare: give at least two session logs (got 1)'],
    [['replay'], 'duet: replay: give the session log to play (duet replay logs/<run>.jsonl)'],
    [['report'], 'duet: report: give the session log to report on (duet report logs/<run>.jsonl)'],
    [['export'], 'duet: export: give the session log to export (duet export logs/<run>.jsonl --format csv)'],
    [['run', '--num-prompts', 'many'], 'duet: --num-prompts: expected a positive whole number, got "many"'],
    [['frobnicate'], 'duet: unknown command "frobnicate"; run duet --help for the list'],
  ])('duet %j exits 2 with one line', async (args, line) => {
    const result = await duet(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'))).toEqual([line]);
  }, 20_000);

  it('Ctrl-C in the live screen (quit with signal SIGINT) ends the run as a signal: exit 130, run-end says so', async () => {
    const time = new VirtualTime();
    const h = await startHarness({ profile: makeProfile({ workload: { limit: 20, load: { mode: 'closed', concurrency: 1 } } }), time, engines: { A: goldEngine(time, 'A', { prefillMs: 100 }), B: goldEngine(time, 'B', { prefillMs: 100 }) } });
    await time.advance(250);
    h.run.send({ type: 'quit', signal: 'SIGINT' });
    await time.runAll();
    const outcome = await h.run.finished;
    expect(outcome).toMatchObject({ reason: 'signal', detail: 'SIGINT', exitCode: 130 });
    expect(h.events.at(-1)).toMatchObject({ type: 'run-end', reason: 'signal', detail: 'SIGINT' });
  });
});

describe('npm start', () => {
  it('runs duet with onnxruntime-node-install=skip in effect, so no setting downloads CUDA', async () => {
    const run = promisify(execFile);
    const result = await run('npm', ['start', '--', '--version'], { env: { ...process.env, npm_config_loglevel: 'warn' } });
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^\d+\.\d+\.\d+$/);
    // What onnxruntime-node's install script reads (npm hands project settings to scripts as npm_config_*).
    const seen = await run('npm', ['exec', '--', 'node', '-e', 'process.stdout.write(String(process.env.npm_config_onnxruntime_node_install))']);
    expect(seen.stdout).toBe('skip');
  }, 60_000);
});
