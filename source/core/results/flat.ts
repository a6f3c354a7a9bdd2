/**
 * A snapshot as flat results (results/schema.ts): per model, per segment and for the
 * system, with undefined figures as null. Pure: the same snapshot gives the same keys,
 * whether it was taken live (duet run --json) or folded from a log (duet report).
 */
import type { GroupFigures, LatencyMetric, LatencyStats, ModelFigures, SegmentSummary, Snapshot } from '../metrics/snapshot.js';
import { LATENCY_NAMES, type GroupResults, type LatencyKey, type ModelResults, type Results, type SegmentResults } from './schema.js';

export interface ResultsContext {
  reason?: string;
  detail?: string;
}

const orNull = (value: number | undefined): number | null => (value === undefined || !Number.isFinite(value) ? null : value);
const seconds = (ms: number | undefined): number | null => (ms === undefined ? null : ms / 1000);

/** The snapshot's metric behind each results latency name. */
const METRIC_OF: Record<keyof typeof LATENCY_NAMES, LatencyMetric> = { ttft: 'ttft', tpot: 'tpot', itl: 'itl', e2el: 'e2e', queue: 'queue' };

function latencyResults(group: GroupFigures): Record<LatencyKey, number | null> {
  const out = {} as Record<LatencyKey, number | null>;
  for (const [name, metric] of Object.entries(METRIC_OF) as [keyof typeof METRIC_OF, LatencyMetric][]) {
    const run: LatencyStats | undefined = group.latency[metric]?.run;
    out[`mean_${name}_ms`] = orNull(run?.mean);
    out[`median_${name}_ms`] = orNull(run?.p50);
    out[`p90_${name}_ms`] = orNull(run?.p90);
    out[`p99_${name}_ms`] = orNull(run?.p99);
  }
  return out;
}

function groupResults(group: GroupFigures, measuredMs: number): GroupResults {
  const perSecond = (n: number) => (measuredMs > 0 ? n / (measuredMs / 1000) : null);
  const { accuracy: acc, energy, throughput: tp } = group;
  return {
    completed: group.completed,
    failed: group.errors + group.timeouts,
    errors: group.errors,
    timeouts: group.timeouts,
    cancelled: group.cancelled,
    total_input_tokens: group.inputTokens,
    total_output_tokens: group.outputTokens,
    request_throughput: orNull(tp.qpsRun),
    output_throughput: orNull(tp.tokensPerSecRun),
    total_token_throughput: perSecond(group.inputTokens + group.outputTokens),
    request_goodput: orNull(tp.goodput),
    correct_on_time_throughput: orNull(tp.correctOnTimePerSec),
    ...latencyResults(group),
    em: orNull(acc.em.value),
    em_ci_low: orNull(acc.em.low),
    em_ci_high: orNull(acc.em.high),
    em_n: acc.em.n,
    f1: orNull(acc.f1),
    has_ans_em: orNull(acc.hasAns.em.value),
    has_ans_f1: orNull(acc.hasAns.f1),
    has_ans_n: acc.hasAns.em.n,
    no_ans_em: orNull(acc.noAns.em.value),
    no_ans_n: acc.noAns.em.n,
    energy_j: orNull(energy.joules),
    energy_estimated: energy.estimated,
    mean_power_w: orNull(energy.meanPowerW),
    queries_per_s_per_w: orNull(energy.qpsPerW),
    j_per_query: orNull(energy.joulesPerQuery),
    j_per_correct: orNull(energy.joulesPerCorrect),
    tokens_per_j: orNull(energy.tokensPerJoule),
  };
}

function modelResults(model: ModelFigures, measuredMs: number): ModelResults {
  const { label, backend, model: name, device, synthetic } = model.info;
  return { label, backend, model: name, device, synthetic, ...groupResults(model, measuredMs) };
}

function segmentResults(segment: SegmentSummary): SegmentResults {
  const load = segment.load;
  return {
    index: segment.index,
    policy: segment.policy,
    load_mode: load?.mode ?? null,
    request_rate: load?.mode === 'open' ? load.rate : null,
    max_concurrency: load?.mode === 'closed' ? load.concurrency : null,
    weight: orNull(segment.weight),
    start_s: seconds(segment.tStart),
    end_s: seconds(segment.tEnd),
    completed: segment.completed,
    request_throughput: orNull(segment.qps),
    median_e2el_ms: orNull(segment.e2eP50),
    p99_e2el_ms: orNull(segment.e2eP99),
    em: orNull(segment.em),
    mean_power_w: orNull(segment.meanPowerW),
    energy_j: orNull(segment.joules),
    j_per_query: segment.joules !== undefined && segment.completed > 0 ? segment.joules / segment.completed : null,
    escalation_rate: orNull(segment.escalationRate),
  };
}

export function resultsOf(snapshot: Snapshot, context: ResultsContext = {}): Results {
  const { measuredMs, load, slo } = snapshot;
  return {
    results_schema: 1,
    reason: context.reason ?? null,
    detail: context.detail ?? null,
    policy: snapshot.policy,
    load_mode: load.mode,
    request_rate: load.mode === 'open' ? load.rate : null,
    max_concurrency: load.mode === 'closed' ? load.concurrency : null,
    num_prompts: orNull(snapshot.total),
    issued: snapshot.issued,
    done: snapshot.done,
    duration: measuredMs / 1000,
    elapsed: snapshot.elapsedMs / 1000,
    issued_rate: measuredMs > 0 ? snapshot.issued / (measuredMs / 1000) : null,
    slo_ttft_ms: orNull(slo.ttftMs),
    slo_tpot_ms: orNull(slo.tpotMs),
    slo_e2e_ms: orNull(slo.e2eMs),
    ...groupResults(snapshot.combined, measuredMs),
    energy_source: snapshot.power.source ?? null,
    energy_samples: snapshot.power.samples,
    energy_interval_ms: orNull(snapshot.power.intervalMs),
    models: { A: modelResults(snapshot.models.A, measuredMs), B: modelResults(snapshot.models.B, measuredMs) },
    segments: snapshot.segments.map(segmentResults),
  };
}
