import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { SERVE_NONCE_ENV } from '../core/serve/nonce.js';
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
    --max-prompt-tokens N
                       longest prompt accepted (default: what the model's context and
                       this machine's memory allow; longer prompts get 400)
    --threads N        onnxruntime intra-op threads

  Example
    $ duet serve --model models/demo-small --port 8101
`;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The longest prompt to accept: the model's context (max_position_embeddings) less
 * max_tokens, and what memory allows. Prefill attention holds about heads x L^2 x 8 bytes
 * (scores and their softmax, fp32: 8k tokens on 8 heads took 4.9 GB), for up to maxBatch
 * prompts at once; that may use a quarter of this machine's memory. A flag may lower it,
 * or raise the memory bound, never past the context.
 */
export function promptTokenLimit(folder: string, maxTokens: number, maxBatch: number, flag?: number, memoryBytes = totalmem()): number {
  let config: { max_position_embeddings?: unknown; num_attention_heads?: unknown } = {};
  try {
    config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as typeof config;
  } catch {
    // The engine reports a missing or broken config.json with the folder's name.
  }
  const context = typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings - maxTokens : Number.POSITIVE_INFINITY;
  const heads = typeof config.num_attention_heads === 'number' ? config.num_attention_heads : 32;
  const memory = Math.floor(Math.sqrt(memoryBytes / 4 / (heads * 8 * maxBatch)));
  return Math.max(1, Math.min(context, flag ?? memory));
}

function integer(value: number | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`serve: --${flag} expects an integer from ${min} to ${max}, got ${value}`);
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

/**
 * Launched by duet: stop when duet is gone, wherever setpriv's parent-death signal is not
 * available (the parent pid changes when the parent dies and the process is re-parented).
 */
function watchParent(): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, 500);
  timer.unref();
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
    maxPromptTokens: { type: 'number' },
    threads: { type: 'number' },
  },
  async run({ flags }) {
    if (!flags.model) throw new UsageError('serve: --model <folder> is required (e.g. --model models/demo-small)');
    const port = integer(flags.port, 'port', 0, 65_535)!;
    const maxBatch = integer(flags.maxBatch, 'max-batch', 1, 256)!;
    const maxTokens = integer(flags.maxTokens, 'max-tokens', 1, 32_768)!;
    const threads = integer(flags.threads, 'threads', 1, 256);
    const maxBodyBytes = parseByteSize(flags.maxBody, 'serve: --max-body');
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
    const promptLimit = promptTokenLimit(folder, maxTokens, maxBatch, integer(flags.maxPromptTokens, 'max-prompt-tokens', 1));
    const engine = await createOnnxEngine(profile);
    const tokenizer = await loadLlama3Tokenizer(folder);
    let server: ServeServer | undefined;
    try {
      // Listen first, answering 503 while the model loads: a busy port fails at once.
      try {
        server = await startServeServer(engine, {
          modelId,
          encode: (text) => tokenizer.encode(text),
          maxTokens,
          maxBodyBytes,
          host: flags.host,
          port,
          ready: false,
          maxPromptTokens: promptLimit,
          // Set by the duet that launched this server, to recognise it (launch readiness).
          ...(process.env[SERVE_NONCE_ENV] ? { nonce: process.env[SERVE_NONCE_ENV] } : {}),
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UserError(`serve: port ${port} on ${flags.host} is in use; pick another with --port`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserError(`serve: cannot listen on --host ${flags.host} (${code})`);
        throw error;
      }
      await engine.start();
      server.markReady();
      const stopped = untilSignal();
      if (process.env[SERVE_NONCE_ENV]) watchParent();
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
