// Runs lowerThreadPriority in a worker thread and reports that thread's nice value before and after.
import { getPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { kernelThreadId, lowerThreadPriority } from '../../../source/core/plane/priority.js';

const tid = kernelThreadId()!;
const start = getPriority(tid);
const lowered = lowerThreadPriority(3);
parentPort!.postMessage({ tid, start, lowered, now: getPriority(tid) });
