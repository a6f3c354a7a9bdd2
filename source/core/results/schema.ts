/**
 * The flat results of a run: what `duet run --json` prints last and `duet report
 * --format json` carries, for dashboards and CI scripts. One definition (zod), from which
 * docs/results.schema.json is generated (`npm run results-schema`) and against which
 * tests check real output. Names follow `vllm bench serve --save-result` where they mean
 * the same thing; duet's own (EM, energy, segments) otherwise. Every figure is null when
 * there is nothing to compute it from (never a fake 0); every key is always present.
 */
import { z } from 'zod';

const figure = (description: string) => z.number().nullable().describe(description);
const count = (description: string) => z.number().int().nonnegative().describe(description);

export const LATENCY_NAMES = { ttft: 'time to first token', tpot: 'time per output token after the first', itl: 'inter-token latency', e2el: 'end-to-end latency', queue: 'queue wait inside the engine' } as const;
export const LATENCY_STATS = { mean: 'mean', median: 'median (p50)', p90: '90th percentile', p99: '99th percentile' } as const;
export type LatencyKey = `${keyof typeof LATENCY_STATS}_${keyof typeof LATENCY_NAMES}_ms`;

function latencyShape(): Record<LatencyKey, ReturnType<typeof figure>> {
  const shape = {} as Record<LatencyKey, ReturnType<typeof figure>>;
  for (const [name, what] of Object.entries(LATENCY_NAMES)) {
    for (const [stat, label] of Object.entries(LATENCY_STATS)) {
      shape[`${stat}_${name}_ms` as LatencyKey] = figure(`${label} ${what}, ms, over the measured run`);
    }
  }
  return shape;
}

/** The figures of one group: model A, model B, or the system (one per question). */
const groupShape = {
  completed: count('requests (per model) or questions (system) answered'),
  failed: count('errors plus timeouts'),
  errors: count('failed requests other than timeouts and cancellations'),
  timeouts: count('requests that hit requestTimeoutMs'),
  cancelled: count('requests cancelled because the run ended (quit or signal); not failures, not in any latency'),
  total_input_tokens: count('prompt tokens of the completions'),
  total_output_tokens: count('output tokens of the completions'),
  request_throughput: figure('completions per second over the measured window'),
  output_throughput: figure('output tokens per second over the measured window'),
  total_token_throughput: figure('prompt plus output tokens per second over the measured window'),
  request_goodput: figure('completions per second meeting every SLO (all of them when no SLO is set)'),
  correct_on_time_throughput: figure('exact (EM) completions meeting every SLO, per second'),
  ...latencyShape(),
  em: figure('SQuAD 2.0 exact match, percent'),
  em_ci_low: figure('Wilson 95% interval of em, lower bound, percent'),
  em_ci_high: figure('Wilson 95% interval of em, upper bound, percent'),
  em_n: count('answers scored'),
  f1: figure('mean SQuAD 2.0 F1, percent'),
  has_ans_em: figure('exact match on answerable questions, percent'),
  has_ans_f1: figure('F1 on answerable questions, percent'),
  has_ans_n: count('answerable answers scored'),
  no_ans_em: figure('exact match on unanswerable questions (abstaining is right), percent'),
  no_ans_n: count('unanswerable answers scored'),
  energy_j: figure('device energy over the measured window, J (per model: its share of shared devices)'),
  energy_estimated: z.boolean().describe('true when the energy is a busy-time split of devices the models share'),
  mean_power_w: figure('energy_j over the measured window, W'),
  queries_per_s_per_w: figure('request_throughput / mean_power_w (= completed / energy_j)'),
  j_per_query: figure('energy_j / completed'),
  j_per_correct: figure('energy_j / exact answers'),
  tokens_per_j: figure('total_output_tokens / energy_j'),
};

export const modelResultsSchema = z.strictObject({
  label: z.string().describe('the model label in the profile'),
  backend: z.string().describe('onnx or openai'),
  model: z.string().describe('model name or served name'),
  device: z.string().describe('where it runs (cpu, npu, a URL host, ...)'),
  synthetic: z.boolean().describe('true for the demo models: timings are real, answers are not'),
  ...groupShape,
});

export const segmentResultsSchema = z.strictObject({
  index: count('segment number: 0 from run-start, then one per policy, load or weight change'),
  policy: z.string().describe('the policy the segment ran'),
  load_mode: z.enum(['closed', 'open']).nullable().describe('closed (concurrency) or open (arrival rate) loop'),
  request_rate: figure('open loop: questions offered per second'),
  max_concurrency: figure('closed loop: questions outstanding'),
  weight: figure('weighted policy: share of traffic to A'),
  start_s: figure('segment start, s from run-start'),
  end_s: figure('segment end, s from run-start; null while open'),
  completed: count('questions the system answered in the segment'),
  request_throughput: figure('questions answered per second over the segment part of the measured window'),
  median_e2el_ms: figure('median end-to-end latency of its questions, ms'),
  p99_e2el_ms: figure('99th percentile end-to-end latency of its questions, ms'),
  em: figure('exact match of its system answers, percent'),
  mean_power_w: figure('mean device power over the segment part of the measured window, W'),
  energy_j: figure('device energy over the segment part of the measured window, J'),
  j_per_query: figure('energy_j / completed'),
  escalation_rate: figure('cascade: share of questions escalated to B'),
});

export const resultsSchema = z.strictObject({
  results_schema: z.literal(1).describe('version of this key set'),
  reason: z.string().nullable().describe('why the run ended: finished, quit, signal or error (null in a report of an interrupted log)'),
  detail: z.string().nullable().describe('more on the reason, when there is more'),
  policy: z.string().describe('the policy at the end of the run'),
  load_mode: z.enum(['closed', 'open']).describe('closed (concurrency) or open (arrival rate) loop, at the end of the run'),
  request_rate: figure('open loop: questions offered per second (null in a closed loop)'),
  max_concurrency: figure('closed loop: questions outstanding (null in an open loop)'),
  num_prompts: figure('questions the run was to ask (dataset x repeat, or --limit); null for a timed run'),
  issued: count('measured questions issued'),
  done: count('measured questions done (answered, failed or cancelled)'),
  duration: figure('length of the measured window, s (first measured question issued to the end)'),
  elapsed: figure('run time from run-start, s (warm-up included)'),
  issued_rate: figure('questions issued per second over the measured window (achieved, against request_rate offered)'),
  slo_ttft_ms: figure('TTFT SLO that request_goodput counts against'),
  slo_tpot_ms: figure('TPOT SLO'),
  slo_e2e_ms: figure('end-to-end SLO'),
  ...groupShape,
  energy_source: z.string().nullable().describe('power source(s) of energy_j, e.g. npu-smi'),
  energy_samples: count('power readings inside the measured window'),
  energy_interval_ms: figure('median interval between power readings, ms'),
  models: z.strictObject({ A: modelResultsSchema, B: modelResultsSchema }).describe('each model on its own: every request it answered'),
  segments: z.array(segmentResultsSchema).describe('one entry per segment, in order'),
});

export type Results = z.infer<typeof resultsSchema>;
export type ModelResults = z.infer<typeof modelResultsSchema>;
export type SegmentResults = z.infer<typeof segmentResultsSchema>;
export type GroupResults = Omit<ModelResults, 'label' | 'backend' | 'model' | 'device' | 'synthetic'>;

/** The JSON Schema of the results (docs/results.schema.json). */
export function resultsJsonSchema(): Record<string, unknown> {
  return { title: 'duet run results', ...z.toJSONSchema(resultsSchema, { target: 'draft-2020-12' }) };
}
