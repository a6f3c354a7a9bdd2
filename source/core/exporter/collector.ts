/**
 * duet's live figures as Prometheus metrics (prom-client). Every scrape reads one
 * snapshot and rewrites every series from it, so a series whose figure has become
 * undefined disappears instead of showing a stale or fake 0. Units are Prometheus'
 * base units: seconds, ratios 0-1, watts, joules. Latencies and token counts are
 * histograms over the run (histograms.ts), so they aggregate across runs and replicas
 * and `histogram_quantile` works; EM and goodput are counters (exact answers, scored
 * answers, answers within the SLO) that divide. `model` is A, B, or `system` (one per
 * question: metrics/system.ts).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ModelSlot } from '../engines/engine.js';
import type { ReplicaStats } from '../engines/replicas/replica.js';
import type { GroupFigures, Snapshot } from '../metrics/snapshot.js';
import { histogramText } from './histograms.js';

/** What one scrape reads: the snapshot, plus optional per-model sources the snapshot lacks. */
export interface ScrapeSources {
  snapshot(): Snapshot;
  /** Per-replica figures of pooled models. */
  replicas?(slot: ModelSlot): ReplicaStats[] | undefined;
  /** Per-model power and energy measured on the devices mapped to each model. */
  modelPower?(slot: ModelSlot): { powerW?: number; joules?: number };
  /** The model a telemetry device serves, when known. */
  deviceModel?(deviceId: string): ModelSlot | undefined;
}

const SLOTS: ModelSlot[] = ['A', 'B'];

type Labels = Record<string, string>;
type Metric = Gauge<string> | Counter<string>;

export class DuetCollector {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, Metric>();

  constructor(private readonly sources: ScrapeSources) {}

  /** The exposition text of one scrape. */
  async scrape(): Promise<string> {
    const snapshot = this.sources.snapshot();
    this.fill(snapshot);
    const groups: [string, GroupFigures][] = [['A', snapshot.models.A], ['B', snapshot.models.B], ['system', snapshot.combined]];
    return `${await this.registry.metrics()}${histogramText(groups)}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private metric(name: string, help: string, labelNames: string[], counter = false): Metric {
    let metric = this.metrics.get(name);
    if (!metric) {
      const config = { name, help, labelNames, registers: [this.registry] };
      metric = counter ? new Counter(config) : new Gauge(config);
      this.metrics.set(name, metric);
    }
    return metric;
  }

  /** Sets one sample; undefined and non-finite values add no sample (never a fake 0). */
  private set(name: string, help: string, labels: Labels, value: number | undefined, counter = false): void {
    const metric = this.metric(name, help, Object.keys(labels), counter);
    if (value === undefined || !Number.isFinite(value)) {
      // reset() gives an unlabelled metric a 0 sample: take it out again.
      if (Object.keys(labels).length === 0) metric.remove();
      return;
    }
    if (metric instanceof Counter) metric.inc(labels, value);
    else metric.set(labels, value);
  }

  private fill(s: Snapshot): void {
    for (const metric of this.metrics.values()) metric.reset();
    const ratio = (percent: number | undefined) => (percent === undefined ? undefined : percent / 100);
    const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

    this.set('duet_run_elapsed_seconds', 'Run time so far', {}, s.elapsedMs / 1000);
    this.set('duet_paused', '1 while the run is paused', {}, s.paused ? 1 : 0);
    this.set('duet_questions_issued_total', 'Questions issued (measured, not warm-up)', {}, s.issued, true);
    this.set('duet_questions_done_total', 'Questions done (answered or failed)', {}, s.done, true);
    this.set('duet_questions_planned', 'Questions the run will ask (dataset or limit)', {}, s.total);
    this.set('duet_policy_info', 'The scheduling policy now', { policy: s.policy }, 1);
    this.set('duet_load_concurrency', 'Closed loop: questions outstanding', {}, s.load.mode === 'closed' ? s.load.concurrency : undefined);
    this.set('duet_load_rate', 'Open loop: questions issued per second', {}, s.load.mode === 'open' ? s.load.rate : undefined);
    this.set('duet_weight', 'weighted policy: share of traffic to model A', {}, s.weight);
    this.set('duet_power_watts', 'Device power now, all scraped devices', {}, s.power.powerW);
    this.set('duet_energy_joules', 'Device energy over the measured window, all devices', {}, s.power.joules);

    for (const slot of SLOTS) {
      const m = s.models[slot];
      const model = { model: slot };
      this.set('duet_model_info', 'Which model serves each slot', { model: slot, label: m.info.label, backend: m.info.backend, served: m.info.model, device: m.info.device }, 1);
      this.set('duet_model_up', '1 unless the model server exited or is down', model, m.state === 'exited' || m.state === 'down' || m.state === 'stopped' ? 0 : 1);
      const tp = m.throughput;
      this.set('duet_queries_per_second', 'Answers per second', { model: slot, window: '10s' }, tp.qps10s);
      this.set('duet_queries_per_second', 'Answers per second', { model: slot, window: '60s' }, tp.qps60s);
      this.set('duet_queries_per_second', 'Answers per second', { model: slot, window: 'run' }, tp.qpsRun);
      this.set('duet_tokens_per_second', 'Output tokens per second', { model: slot, window: '10s' }, tp.tokensPerSec10s);
      this.set('duet_tokens_per_second', 'Output tokens per second', { model: slot, window: 'run' }, tp.tokensPerSecRun);
      this.set('duet_goodput_queries_per_second', 'Answers per second meeting every SLO (run)', model, tp.goodput);
      this.set('duet_correct_on_time_per_second', 'Correct (EM) and on-time answers per second (run)', model, tp.correctOnTimePerSec);
      const acc = m.accuracy;
      this.set('duet_exact_match_ratio', 'SQuAD v2 exact match (0-1)', { model: slot, subset: 'all' }, ratio(acc.em.value));
      this.set('duet_exact_match_ratio', 'SQuAD v2 exact match (0-1)', { model: slot, subset: 'has_ans' }, ratio(acc.hasAns.em.value));
      this.set('duet_exact_match_ratio', 'SQuAD v2 exact match (0-1)', { model: slot, subset: 'no_ans' }, ratio(acc.noAns.em.value));
      this.set('duet_f1_ratio', 'SQuAD v2 mean F1 (0-1)', { model: slot, subset: 'all' }, ratio(acc.f1));
      this.set('duet_queue_depth', 'Requests waiting inside the engine', model, m.queueDepth);
      this.set('duet_in_flight', 'Requests computing now', model, m.inFlight);
      this.set('duet_batch_size', 'Current batch size', model, m.batchSize);
      this.set('duet_model_energy_joules', 'Energy per model: busy-time split of shared devices, or measured on its mapped devices', { model: slot, method: 'busy-time-split' }, m.energy.joules);
      const mapped = this.sources.modelPower?.(slot);
      this.set('duet_model_energy_joules', 'Energy per model: busy-time split of shared devices, or measured on its mapped devices', { model: slot, method: 'device-map' }, mapped?.joules);
      this.set('duet_model_power_watts', 'Power now of the devices mapped to the model', model, mapped?.powerW);
      this.set('duet_joules_per_query', 'Energy per answer', model, m.energy.joulesPerQuery);
      for (const replica of this.sources.replicas?.(slot) ?? []) this.replica(slot, replica, seconds);
    }

    for (const [model, group] of [['A', s.models.A], ['B', s.models.B], ['system', s.combined]] as const) {
      this.counts(model, group);
    }

    for (const device of s.power.devices) {
      const labels = { device: device.id, model: this.sources.deviceModel?.(device.id) ?? '' };
      this.set('duet_device_power_watts', 'Power of one scraped device', labels, device.powerW);
      this.set('duet_device_utilization_ratio', 'Utilisation of one scraped device (0-1)', labels, ratio(device.utilPct));
    }

    for (const seg of s.segments) {
      const labels = { segment: String(seg.index), policy: seg.policy };
      this.set('duet_segment_completed_total', 'Questions the system answered in a segment', labels, seg.completed, true);
      this.set('duet_segment_e2e_latency_median_seconds', 'Median end-to-end latency of a segment\'s questions', labels, seconds(seg.e2eP50));
      this.set('duet_segment_e2e_latency_p99_seconds', '99th percentile end-to-end latency of a segment\'s questions', labels, seconds(seg.e2eP99));
      this.set('duet_segment_queries_per_second', 'Questions answered per second in a segment', labels, seg.qps);
      this.set('duet_segment_energy_joules', 'Device energy over a segment', labels, seg.joules);
      this.set('duet_segment_exact_match_ratio', 'Exact match in a policy segment (0-1)', labels, ratio(seg.em));
      this.set('duet_segment_power_watts', 'Mean device power in a policy segment', labels, seg.meanPowerW);
      this.set('duet_segment_escalation_ratio', 'Share of questions escalated (cascade)', labels, seg.escalationRate);
    }
  }

  /** The counts of one group: answers, failures by kind, and the counters EM and goodput divide. */
  private counts(model: string, g: GroupFigures): void {
    const labels = { model };
    this.set('duet_queries_total', 'Answers finished (not warm-up): requests per model, questions for the system', labels, g.completed, true);
    this.set('duet_errors_total', 'Failed requests by kind', { model, kind: 'error' }, g.errors, true);
    this.set('duet_errors_total', 'Failed requests by kind', { model, kind: 'timeout' }, g.timeouts, true);
    this.set('duet_cancelled_total', 'Requests cancelled because the run ended (not failures)', labels, g.cancelled, true);
    this.set('duet_scored_total', 'Answers scored (EM = duet_exact_match_total / duet_scored_total)', labels, g.accuracy.em.n, true);
    this.set('duet_exact_match_total', 'Exact (EM) answers', labels, g.exact, true);
    this.set('duet_queries_within_slo_total', 'Answers meeting every SLO (goodput = its rate)', labels, g.onTime, true);
    this.set('duet_prompt_tokens_total', 'Prompt tokens of the answers', labels, g.inputTokens, true);
    this.set('duet_generation_tokens_total', 'Output tokens of the answers', labels, g.outputTokens, true);
  }

  private replica(slot: ModelSlot, r: ReplicaStats, seconds: (ms: number | undefined) => number | undefined): void {
    const labels = { model: slot, replica: r.url };
    this.set('duet_replica_up', '1 while the replica is in rotation', labels, r.state === 'up' ? 1 : 0);
    this.set('duet_replica_outstanding', 'Requests sent to the replica and not ended', labels, r.outstanding);
    this.set('duet_replica_requests_total', 'Requests sent to the replica', labels, r.requests, true);
    this.set('duet_replica_errors_total', 'Failed requests on the replica', { ...labels, kind: 'all' }, r.errors, true);
    this.set('duet_replica_errors_total', 'Failed requests on the replica', { ...labels, kind: 'connection' }, r.connectionErrors, true);
    this.set('duet_replica_latency_mean_seconds', 'Mean end-to-end latency of the replica answers', labels, seconds(r.meanLatencyMs));
  }
}
