import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, isAlive } from './helpers.js';

const script = new URL('./fixtures/launch-and-leave.ts', import.meta.url).pathname;

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !isAlive(pid);
}

describe('no server outlives duet', () => {
  it.each(['exit', 'throw', 'SIGTERM', 'SIGHUP'])('when duet leaves by %s without stopping it', async (how) => {
    const port = await freePort();
    const child = execa(process.execPath, ['--import', 'tsx', script, how.startsWith('SIG') ? 'wait' : how, String(port), mkdtempSync(join(tmpdir(), 'duet-net-'))], {
      reject: false,
      timeout: 60_000,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (data: Buffer) => {
        const match = /server pid (\d+)/.exec(data.toString());
        if (match) resolve(Number(match[1]));
      });
      void child.then((r) => reject(new Error(`script ended early: ${r.stderr}`)));
    });
    expect(isAlive(pid)).toBe(true);
    if (how.startsWith('SIG')) child.kill(how as NodeJS.Signals);
    const result = await child;
    if (how.startsWith('SIG')) expect(result.signal).toBe(how);
    try {
      expect(await waitGone(pid)).toBe(true);
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
