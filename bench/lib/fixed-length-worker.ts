/**
 * The ONNX engine's worker with one change for benchmarks: every request runs to its
 * maxNewTokens, past end-of-turn (the worker protocol's ignoreStop, which Engine.generate
 * does not expose). Benchmarks then choose answer lengths themselves instead of depending
 * on how the demo model's end-of-turn bias happens to fall on their prompts.
 * Passed to createOnnxEngine as `workerEntry`.
 */
import { parentPort } from 'node:worker_threads';

type Listener = (message: unknown) => void;
const port = parentPort!;
const on = port.on.bind(port) as (event: string, listener: Listener) => typeof port;
(port as unknown as { on: (event: string, listener: Listener) => typeof port }).on = (event, listener) =>
  on(event, (message: unknown) => {
    const m = message as { type?: string; request?: { ignoreStop?: boolean } };
    if (event === 'message' && m?.type === 'generate' && m.request) m.request.ignoreStop = true;
    listener(message);
  });

await import('../../source/core/engines/onnx/worker.js');
