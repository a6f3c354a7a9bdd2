import { basename, resolve } from 'node:path';
import { loadLlama3Tokenizer } from '../core/dataset/tokenizer.js';
import { createOnnxEngine } from '../core/engines/onnx/engine.js';
import { UsageError, UserError } from '../core/errors.js';
import { modelSchema } from '../core/profile/schema.js';
import { parseByteSize } from '../core/serve/bytes.js';
import { startServeServer, type ServeServer } from '../core/serve/server.js';
import { defineCommand } from './command.js';

const help = `  Usage
    $ duet serve --model <folder> [flags]

  Serves an ONNX model folder over the OpenAI API with the in-process engine (dynamic
  batching included): GET /v1/models, GET /health, POST /v1/chat/completions and
  POST /v1/completions, streaming and not. Generation is greedy. Stops on Ctrl-C.

  Flags
    --model FOLDER     Hugging Face style ONNX model folder (e.g. models/demo-small)
    --port N           port to listen on (default 8101; 0 = any free port)
    --host ADDR        address to listen on (default 127.0.0.1: this machine only)
    --max-batch N      largest batch the engine forms (default 8)
    --max-body SIZE    largest request body (default 1mb)
    --max-tokens N     default and upper limit of max_tokens (default 128)
    --threads N        onnxruntime intra-op threads

  Example
    $ duet serve --model models/demo-small --port 8101
`;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function integer(value: number | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`duet serve: --${flag} expects an integer from ${min} to ${max}, got ${value}`);
  return value;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export const command = defineCommand({
  name: 'serve',
  summary: 'serve an ONNX model folder over the OpenAI API',
  help,
  flags: {
    model: { type: 'string' },
    port: { type: 'number', default: 8101 },
    host: { type: 'string', default: '127.0.0.1' },
    maxBatch: { type: 'number', default: 8 },
    maxBody: { type: 'string', default: '1mb' },
    maxTokens: { type: 'number', default: 128 },
    threads: { type: 'number' },
  },
  async run({ flags }) {
    if (!flags.model) throw new UsageError('duet serve: --model <folder> is required (e.g. --model models/demo-small)');
    const port = integer(flags.port, 'port', 0, 65_535)!;
    const maxBatch = integer(flags.maxBatch, 'max-batch', 1, 256)!;
    const maxTokens = integer(flags.maxTokens, 'max-tokens', 1, 32_768)!;
    const threads = integer(flags.threads, 'threads', 1, 256);
    const maxBodyBytes = parseByteSize(flags.maxBody, 'duet serve: --max-body');
    const folder = resolve(flags.model);
    const modelId = basename(folder);
    const profile = modelSchema.parse({
      label: modelId,
      backend: 'onnx',
      path: folder,
      batching: { maxBatch, maxWaitMs: 5 },
      ...(threads ? { intraOpThreads: threads } : {}),
    });
    // Both fail with a UserError naming the folder when it is missing or incomplete.
    const engine = await createOnnxEngine(profile);
    const tokenizer = await loadLlama3Tokenizer(folder);
    let server: ServeServer | undefined;
    try {
      // Listen first, answering 503 while the model loads: a busy port fails at once.
      try {
        server = await startServeServer(engine, { modelId, encode: (text) => tokenizer.encode(text), maxTokens, maxBodyBytes, host: flags.host, port, ready: false });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UserError(`duet serve: port ${port} on ${flags.host} is in use; pick another with --port`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserError(`duet serve: cannot listen on --host ${flags.host} (${code})`);
        throw error;
      }
      await engine.start();
      server.markReady();
      const stopped = untilSignal();
      if (!LOOPBACK.has(flags.host)) {
        process.stderr.write(`duet serve: listening on ${flags.host}: anyone who can reach it can use it (there is no authentication)\n`);
      }
      const synthetic = engine.info().synthetic ? ' (synthetic weights)' : '';
      process.stdout.write(`duet serve: ${modelId} on ${server.url}${synthetic}\n`);
      const signal = await stopped;
      process.stdout.write(`duet serve: ${signal}, stopping\n`);
      return 0;
    } finally {
      await server?.close();
      await engine.stop();
    }
  },
});
