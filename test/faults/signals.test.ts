/**
 * SIGINT / SIGTERM to `duet run --headless` on a launch profile (two fake OpenAI server
 * processes): duet stops issuing, flushes the log (ending in run-end), stops the servers
 * it started and exits 130 / 143. Checked by pid: no child process is left behind.
 */
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descendants, isAlive, waitGone } from '../../scripts/lib/processes.js';
import { freePort } from '../core/launch/helpers.js';

const fakeServer = resolve('test/fixtures/fake-openai-server.mjs');
const dataset = resolve('examples/squad-sample.json');

async function launchProfile(dir: string): Promise<string> {
  const [a, b] = [await freePort(), await freePort()];
  const model = (label: string, port: number) => `  - label: ${label}
    backend: openai
    url: http://127.0.0.1:${port}/v1
    requestTimeoutMs: 20000
    launch:
      command: ${process.execPath}
      args: [${fakeServer}, --port, "${port}", --model, ${label}, --ttft-ms, "30", --gap-ms, "15", --tokens, "400"]
      readyUrl: http://127.0.0.1:${port}/health
      readyTimeoutMs: 30000
      stopGraceMs: 3000
`;
  const path = join(dir, 'launch.yaml');
  writeFileSync(path, `name: signals\nmodels:\n${model('small', a)}${model('large', b)}workload:\n  dataset: ${dataset}\n  load: { mode: closed, concurrency: 4 }\ntelemetry: { source: none }\n`);
  return path;
}

/** Starts a headless run, waits until both servers run and answers flow, then sends `signal`. */
async function interrupt(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP') {
  const dir = mkdtempSync(join(tmpdir(), `duet-${signal}-`));
  const log = join(dir, 'session.jsonl');
  const child: ResultPromise = execa('node', ['bin/duet.js', 'run', '--headless', '--profile', await launchProfile(dir), '--log', log], {
    reject: false,
    timeout: 90_000,
    // execa would SIGKILL 5 s after a SIGTERM; duet's own grace period and server stops decide here.
    forceKillAfterDelay: false,
  });
  let servers: number[] = [];
  // Answers take ~2 s each (128 tokens, 15 ms apart), so the run is far from done when the
  // signal comes; wait until the log (flushed each second) holds a first answer.
  for (let waited = 0; waited < 60_000; waited += 100) {
    servers = descendants(child.pid!);
    if (servers.length >= 2 && existsSync(log) && readFileSync(log, 'utf8').includes('"query-finished"')) break;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  servers = descendants(child.pid!);
  expect(servers.length).toBeGreaterThanOrEqual(2);
  const signalled = performance.now();
  child.kill(signal);
  const result = await child;
  return { result, log, servers, dir, stopSeconds: (performance.now() - signalled) / 1000 };
}

describe('signals: duet run --headless with launched servers', () => {
  it.concurrent.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s: conventional exit code, log flushed to run-end, no process left', async (signal) => {
    const { result, log, servers, stopSeconds } = await interrupt(signal);
    // 3 s grace for answers in flight, then the servers' SIGTERM; generous for a loaded box.
    expect(stopSeconds).toBeLessThan(30);
    expect(result.exitCode).toBe({ SIGHUP: 129, SIGINT: 130, SIGTERM: 143 }[signal]);
    expect(result.stderr).toContain(`duet: ${signal}, stopping`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type?: string; reason?: string; detail?: string; state?: string });
    expect(lines.at(-1)).toMatchObject({ type: 'run-end', reason: 'signal', detail: signal });
    expect(lines.filter((l) => l.type === 'query-finished').length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.type === 'server' && l.state === 'stopped')).toHaveLength(2);
    expect(await waitGone(servers, 5000)).toEqual([]);
    expect(servers.every((pid) => !isAlive(pid))).toBe(true);
  }, 120_000);

});
