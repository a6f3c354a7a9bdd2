// Worker entry point: registers tsx so that the worker can run the TypeScript sources, then
// loads the real entry (`--import tsx` in a worker's execArgv does not work on Node 20).
import { workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url)) });
await import(workerData.entry);
