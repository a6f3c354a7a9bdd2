import { parentPort } from 'node:worker_threads';

/** A model worker that loads fine and then dies on the first request (tests crash handling). */
const port = parentPort!;
port.postMessage({
  type: 'ready',
  info: { label: 'crash', backend: 'onnx', model: 'crash', device: 'cpu', synthetic: true },
  timeOrigin: performance.timeOrigin,
});
port.on('message', (message: { type: string }) => {
  if (message.type === 'generate') throw new Error('simulated crash inside the worker');
});
