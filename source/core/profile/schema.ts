import { z } from 'zod';
import { MAX_TIMER_MS } from '../duration.js';

/**
 * The profile: everything a run needs, loaded from YAML and overridden by flags.
 * Strict objects everywhere: an unknown key is a typo, and typos must not pass silently.
 */

const positiveInt = z.number({ error: 'expected a positive integer' }).int('expected a positive integer').positive('expected a positive integer');
const nonNegativeInt = z.number({ error: 'expected a non-negative integer' }).int('expected a non-negative integer').min(0, 'expected a non-negative integer');
const positiveNumber = z.number({ error: 'expected a positive number' }).positive('expected a positive number');
/** Milliseconds a timer waits: Node cannot wait longer than 2^31-1 ms (it would fire at once). */
const timerMessage = `expected at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest a timer can wait)`;
const timerMs = positiveInt.max(MAX_TIMER_MS, timerMessage);
const timerMsOrZero = nonNegativeInt.max(MAX_TIMER_MS, timerMessage);

export const launchSchema = z.strictObject({
  command: z.string().min(1),
  /** Arguments as an array: no shell ever sees them. */
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  /** URL polled until it answers 2xx (e.g. http://127.0.0.1:8001/health). */
  readyUrl: z.string().url().optional(),
  readyTimeoutMs: timerMs.default(600_000),
  /** Grace period between SIGTERM and SIGKILL on shutdown. */
  stopGraceMs: timerMs.default(10_000),
  restart: z.boolean().default(false),
});

export const batchingSchema = z.strictObject({
  maxBatch: positiveInt.default(8),
  maxWaitMs: timerMsOrZero.default(5),
});

export const modelSchema = z.strictObject({
  label: z.string().min(1),
  backend: z.enum(['onnx', 'openai']),
  /** ONNX: a Hugging Face style model folder. */
  path: z.string().optional(),
  /** OpenAI: base URL of the server, e.g. http://127.0.0.1:8001/v1 ; several for replicas. */
  url: z.string().url().optional(),
  endpoints: z.array(z.string().url()).optional(),
  /** OpenAI: the model name the server expects. */
  served: z.string().optional(),
  /** OpenAI: which API to call. */
  api: z.enum(['chat', 'completions']).default('chat'),
  /** OpenAI: the server family whose stream dialect to read (default auto: every family's shapes, see docs/serving.md). */
  dialect: z.enum(['auto', 'openai', 'vllm', 'mindie', 'llama.cpp', 'tgi', 'sglang', 'ollama']).optional(),
  /** OpenAI: each streamed delta repeats the text so far (MindIE fullTextEnabled); default: the dialect's (auto: detected). */
  cumulativeDeltas: z.union([z.boolean(), z.literal('auto')]).optional(),
  /** OpenAI: the server's Prometheus metrics (its queue, batch, KV cache); default: <server>/metrics when duet launches it. */
  metricsUrl: z.string().url().optional(),
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv: z.string().optional(),
  requestTimeoutMs: timerMs.default(120_000),
  /** Where the model runs, for display (e.g. npu:0); an openai model defaults to 'remote'. */
  device: z.string().min(1).optional(),
  batching: batchingSchema.default({ maxBatch: 8, maxWaitMs: 5 }),
  /** onnxruntime execution providers, in order of preference (e.g. [cpu] or [cann, cpu]). */
  executionProviders: z.array(z.string()).default(['cpu']),
  intraOpThreads: positiveInt.optional(),
  launch: launchSchema.optional(),
});

export const loadSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('closed'), concurrency: positiveInt }),
  z.strictObject({
    mode: z.literal('open'),
    rate: positiveNumber,
    /** Gamma shape for arrivals: 1 = Poisson, < 1 burstier. */
    burstiness: positiveNumber.default(1),
    /** At most this many questions outstanding: arrivals beyond it wait for an answer. */
    maxConcurrency: positiveInt.optional(),
  }),
]);

export const workloadSchema = z.strictObject({
  dataset: z.string().min(1),
  limit: positiveInt.optional(),
  /** Passes over the dataset's questions (a longer live demo on a small dataset). */
  repeat: positiveInt.default(1),
  shuffle: z.boolean().default(false),
  seed: z.number().int().default(1),
  warmup: nonNegativeInt.default(0),
  /** Run length, e.g. "5m"; unset = until the dataset (or limit) is exhausted. */
  duration: z.string().optional(),
  inputTokens: positiveInt.default(512),
  maxNewTokens: positiveInt.default(128),
  promptMode: z.enum(['max', 'exact']).default('max'),
  load: loadSchema.default({ mode: 'closed', concurrency: 4 }),
});

export const policyNames = ['round-robin', 'shortest-queue', 'weighted', 'small-only', 'large-only', 'mirror', 'slo', 'cascade'] as const;
export type PolicyName = (typeof policyNames)[number];

export const schedulerSchema = z.strictObject({
  policy: z.enum(policyNames).default('round-robin'),
  /** weighted: share of traffic (0-1) sent to the small model (A). */
  weight: z.number().min(0).max(1).default(0.5),
  /** cascade: escalate when the small model's mean log-prob is below this. */
  cascadeThreshold: z.number().default(-1.5),
});

export const telemetrySchema = z.strictObject({
  source: z.enum(['auto', 'npu-smi', 'nvidia-smi', 'rapl', 'prometheus', 'system', 'none']).default('auto'),
  intervalMs: timerMs.default(1000),
  devices: z.array(z.number().int().min(0)).optional(),
  npuSmiPath: z.string().default('npu-smi'),
  nvidiaSmiPath: z.string().default('nvidia-smi'),
  urls: z.array(z.string().url()).default([]),
  timeoutMs: timerMs.default(3000),
  idleBaselineMs: timerMsOrZero.default(0),
  /** Which model each scraped device serves: keys are a device id (10.0.0.5:9100/npu0), an exporter (10.0.0.5:9100) or a host. */
  deviceMap: z.record(z.string(), z.enum(['A', 'B'])).optional(),
});

export const sloSchema = z.strictObject({
  ttftMs: positiveNumber.optional(),
  tpotMs: positiveNumber.optional(),
  e2eMs: positiveNumber.optional(),
});

export const profileSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  /** Exactly two models: A (small, fast) and B (large, accurate). */
  models: z.tuple([modelSchema, modelSchema]),
  workload: workloadSchema,
  scheduler: schedulerSchema.default({ policy: 'round-robin', weight: 0.5, cascadeThreshold: -1.5 }),
  telemetry: telemetrySchema.default({
    source: 'auto',
    intervalMs: 1000,
    npuSmiPath: 'npu-smi',
    nvidiaSmiPath: 'nvidia-smi',
    urls: [],
    timeoutMs: 3000,
    idleBaselineMs: 0,
  }),
  slo: sloSchema.default({}),
});

export type Profile = z.infer<typeof profileSchema>;
export type ModelProfile = z.infer<typeof modelSchema>;
export type LaunchProfile = z.infer<typeof launchSchema>;
export type WorkloadProfile = z.infer<typeof workloadSchema>;
export type TelemetryProfile = z.infer<typeof telemetrySchema>;
