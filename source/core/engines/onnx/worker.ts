import { parentPort, workerData } from 'node:worker_threads';
import { isUserError } from '../../errors.js';
import { ContinuousBatcher } from './batcher.js';
import { OnnxModel } from './model.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

/**
 * One model in its own thread: InferenceSession.run blocks its thread for the whole compute,
 * so the main thread (UI, scheduler) only posts requests and receives tokens.
 */

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');
const init = (workerData as { init: WorkerInit }).init;
const post = (message: FromWorker) => port.postMessage(message);

let model: OnnxModel;
try {
  model = await OnnxModel.load(init.path, {
    label: init.label,
    executionProviders: init.executionProviders,
    ...(init.intraOpThreads ? { intraOpThreads: init.intraOpThreads } : {}),
  });
} catch (error) {
  post({ type: 'load-failed', message: (error as Error).message, userError: isUserError(error) });
  process.exit(0);
}

const batcher = new ContinuousBatcher(model, {
  maxBatch: init.maxBatch,
  maxWaitMs: init.maxWaitMs,
  ...(init.prefillChunkTokens ? { prefillChunkTokens: init.prefillChunkTokens } : {}),
  onLoad: (load) => post({ type: 'load', load }),
});

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'generate': {
      const { id } = message.request;
      batcher
        .submit(message.request, (token) => post({ type: 'token', id, ...token }))
        .then(
          // The load travels with the result, so load() is current when the caller's promise resolves.
          (result) => post({ type: 'done', id, result, load: batcher.load() }),
          (error: Error) => post({ type: 'failed', id, message: error.message, load: batcher.load() }),
        );
      break;
    }
    case 'abort':
      batcher.abort(message.id);
      break;
    case 'stop':
      batcher.close();
      void model.release().finally(() => {
        post({ type: 'stopped' });
        port.close();
      });
      break;
  }
});

post({ type: 'ready', info: model.info, timeOrigin: performance.timeOrigin });
