import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

/**
 * The server's own view of its load, read from its Prometheus /metrics: what it is running,
 * what waits in its queue, how full its KV cache is, and its own TTFT and queue time. One
 * reading maps every family's names (vLLM and vllm-ascend `vllm:*`, SGLang `sglang:*`,
 * llama.cpp `llamacpp:*` with --metrics, MindIE's unprefixed vLLM-style names); a family
 * that lacks a figure leaves it undefined (never 0).
 */
export interface ServerView {
  /** Requests in the server's running batch. */
  running?: number;
  /** Requests waiting in the server's queue. */
  waiting?: number;
  /** KV cache in use, percent. */
  kvCachePct?: number;
  /** Prefix-cache hit rate, percent: over the last interval when the server counts hits, else as it reports it. */
  prefixHitPct?: number;
  /** The server's mean time to first token over the last interval (ms; no request finished its prefill: undefined). */
  ttftMs?: number;
  /** The server's mean queue time over the last interval (ms). */
  queueMs?: number;
  /** llama.cpp /slots: slots processing a request, and all slots. */
  slotsBusy?: number;
  slotsTotal?: number;
}

/** Cumulative counters of the previous reading, for figures taken over the interval between two. */
export type ServerCounters = Record<string, number>;

// Base names (family prefix up to ':' and a `_total` suffix removed), each figure's in every family.
const RUNNING = ['num_requests_running', 'num_running_reqs', 'requests_processing'];
const WAITING = ['num_requests_waiting', 'num_queue_reqs', 'requests_deferred'];
/** Fractions 0-1: vLLM V1, vLLM V0 / vllm-ascend, MindIE, SGLang, llama.cpp. */
const KV_CACHE = ['kv_cache_usage_perc', 'gpu_cache_usage_perc', 'npu_cache_usage_perc', 'token_usage', 'kv_cache_usage_ratio'];
/** Fractions 0-1 reported as gauges: vLLM V0, SGLang. */
const PREFIX_RATE = ['gpu_prefix_cache_hit_rate', 'cache_hit_rate'];
const TTFT = ['time_to_first_token_seconds'];
const QUEUE = ['request_queue_time_seconds', 'queue_time_seconds'];

type Series = { labels: Record<string, string>; value: number };

function baseName(name: string): string {
  const bare = name.slice(name.lastIndexOf(':') + 1);
  return bare.endsWith('_total') ? bare.slice(0, -'_total'.length) : bare;
}

/**
 * Parses exposition text into base name -> series. Histograms are read by their `_sum` and
 * `_count` samples as plain series (the parser drops labelled sums and counts of a histogram).
 */
export function readExposition(text: string): Map<string, Series[]> {
  // The parser drops a last line that has no newline after it.
  const untyped = `${text.replace(/^# TYPE (\S+) (histogram|summary)\s*$/gm, '# TYPE $1 untyped')}\n`;
  const families: PrometheusFamily[] = parsePrometheusTextFormat(untyped);
  const byName = new Map<string, Series[]>();
  for (const family of families) {
    const name = baseName(family.name);
    for (const metric of family.metrics) {
      const value = Number(metric.value);
      if (metric.value === undefined || !Number.isFinite(value)) continue;
      const list = byName.get(name) ?? [];
      list.push({ labels: metric.labels ?? {}, value });
      byName.set(name, list);
    }
  }
  return byName;
}

/** Series of one served model when the server labels several (vLLM `model_name`), else all. */
function pick(series: Series[] | undefined, served: string | undefined): Series[] {
  if (!series) return [];
  if (served === undefined) return series;
  const own = series.filter((s) => s.labels.model_name === served || s.labels.model === served);
  return own.length > 0 ? own : series;
}

function first(metrics: Map<string, Series[]>, names: readonly string[], served: string | undefined): Series[] {
  for (const name of names) {
    const found = pick(metrics.get(name), served);
    if (found.length > 0) return found;
  }
  return [];
}

const sum = (series: Series[]) => series.reduce((total, s) => total + s.value, 0);

/**
 * One reading: the view, and the counters to keep for the next one. `previous` absent (the
 * first reading, or after a server restart reset its counters): interval figures are undefined.
 */
export function serverViewFrom(text: string, previous?: ServerCounters, served?: string): { view: ServerView; counters: ServerCounters } {
  const metrics = readExposition(text);
  const view: ServerView = {};
  const counters: ServerCounters = {};
  const running = first(metrics, RUNNING, served);
  if (running.length > 0) view.running = sum(running);
  const waiting = first(metrics, WAITING, served);
  if (waiting.length > 0) view.waiting = sum(waiting);
  const kv = first(metrics, KV_CACHE, served);
  if (kv.length > 0) view.kvCachePct = Math.max(...kv.map((s) => s.value)) * 100;

  const hits = pick(metrics.get('prefix_cache_hits'), served);
  const queries = pick(metrics.get('prefix_cache_queries'), served);
  if (hits.length > 0 && queries.length > 0) {
    counters.prefixHits = sum(hits);
    counters.prefixQueries = sum(queries);
    const rate = intervalRatio(counters, previous, 'prefixHits', 'prefixQueries');
    if (rate !== undefined) view.prefixHitPct = rate * 100;
  } else {
    const gauge = first(metrics, PREFIX_RATE, served);
    if (gauge.length > 0) view.prefixHitPct = (sum(gauge) / gauge.length) * 100;
  }
  const histogram = (names: readonly string[], key: string): number | undefined => {
    for (const name of names) {
      const sums = pick(metrics.get(`${name}_sum`), served);
      const counts = pick(metrics.get(`${name}_count`), served);
      if (sums.length === 0 || counts.length === 0) continue;
      counters[`${key}Sum`] = sum(sums);
      counters[`${key}Count`] = sum(counts);
      const mean = intervalRatio(counters, previous, `${key}Sum`, `${key}Count`);
      return mean === undefined ? undefined : mean * 1000;
    }
    return undefined;
  };
  const ttft = histogram(TTFT, 'ttft');
  if (ttft !== undefined) view.ttftMs = ttft;
  const queue = histogram(QUEUE, 'queue');
  if (queue !== undefined) view.queueMs = queue;
  return { view, counters };
}

/** Δnumerator / Δdenominator since the previous reading; undefined with no previous, no new events, or a reset. */
function intervalRatio(now: ServerCounters, previous: ServerCounters | undefined, numerator: string, denominator: string): number | undefined {
  const before = previous?.[numerator];
  const beforeCount = previous?.[denominator];
  if (before === undefined || beforeCount === undefined) return undefined;
  const dn = now[numerator]! - before;
  const dd = now[denominator]! - beforeCount;
  if (dd <= 0 || dn < 0) return undefined;
  return dn / dd;
}

/** llama.cpp's GET /slots: an array of slots, each with `is_processing` (newer) or `state` (older: 0 idle). */
export function slotsFrom(body: unknown): Pick<ServerView, 'slotsBusy' | 'slotsTotal'> | undefined {
  if (!Array.isArray(body)) return undefined;
  let busy = 0;
  for (const slot of body) {
    if (typeof slot !== 'object' || slot === null) return undefined;
    const s = slot as Record<string, unknown>;
    if (s.is_processing === true || (typeof s.state === 'number' && s.state !== 0)) busy++;
  }
  return { slotsBusy: busy, slotsTotal: body.length };
}
