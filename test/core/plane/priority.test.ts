import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { kernelThreadId } from '../../../source/core/plane/priority.js';

const BOOT = new URL('../../../source/core/engines/onnx/worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./lower-priority-worker.ts', import.meta.url);

describe.skipIf(process.platform !== 'linux')('thread priority (Linux: a nice value per thread)', () => {
  it('lowers only the calling thread: the main thread keeps its own', async () => {
    const mainTid = kernelThreadId()!;
    expect(mainTid).toBe(process.pid); // the main thread's kernel id is the process id
    const before = getPriority(mainTid);
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY.href } });
    const seen = await new Promise<{ tid: number; start: number; lowered: boolean; now: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(seen.tid).not.toBe(mainTid);
    expect(seen.lowered).toBe(true);
    expect(seen.now).toBe(Math.min(19, seen.start + 3));
    expect(getPriority(mainTid)).toBe(before);
  });
});
