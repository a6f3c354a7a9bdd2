/**
 * The run's latency and token histograms in the Prometheus text format: `_bucket` (with
 * `le`, cumulative, ending at +Inf), `_sum` and `_count` per model label. They come from
 * the metrics store's bucket counts (metrics/buckets.ts), which prom-client's Histogram
 * cannot take as given, so this writes the few lines of exposition format itself.
 */
import type { HistogramName } from '../metrics/buckets.js';
import type { GroupFigures } from '../metrics/snapshot.js';

export const HISTOGRAMS: [HistogramName, string, string][] = [
  ['e2e', 'duet_e2e_latency_seconds', 'End-to-end latency (question issued to answer scored)'],
  ['ttft', 'duet_time_to_first_token_seconds', 'Time to first token (from the request sent)'],
  ['tpot', 'duet_time_per_output_token_seconds', 'Time per output token after the first'],
  ['itl', 'duet_inter_token_latency_seconds', 'Inter-token latency (every gap between tokens)'],
  ['queue', 'duet_queue_wait_seconds', 'Wait inside the engine before compute started'],
  ['promptTokens', 'duet_request_prompt_tokens', 'Prompt tokens per answer'],
  ['outputTokens', 'duet_request_generation_tokens', 'Output tokens per answer'],
];

/** Go's strconv 'g' style as Prometheus clients print `le`: 0.1, 1, 2.5, +Inf. */
function le(bound: number): string {
  return Number.isFinite(bound) ? String(bound) : '+Inf';
}

export function histogramText(groups: readonly [string, GroupFigures][]): string {
  const lines: string[] = [];
  for (const [key, name, help] of HISTOGRAMS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [model, group] of groups) {
      const h = group.histograms[key];
      h.bounds.forEach((bound, i) => lines.push(`${name}_bucket{le="${le(bound)}",model="${model}"} ${h.cumulative[i]}`));
      lines.push(`${name}_bucket{le="+Inf",model="${model}"} ${h.count}`);
      lines.push(`${name}_sum{model="${model}"} ${h.sum}`, `${name}_count{model="${model}"} ${h.count}`);
    }
  }
  return lines.length === 0 ? '' : `\n${lines.join('\n')}\n`;
}
