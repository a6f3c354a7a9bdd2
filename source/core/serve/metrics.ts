import type { EngineLoad, GenerateResult } from '../engines/engine.js';

/**
 * duet serve's own /metrics, in the names vLLM uses (prefixed `duet:`), so that a run
 * against it shows the server's view beside the client's exactly as it would for vLLM:
 * requests running and waiting, and the server-side time to first token and queue time
 * (from the request's arrival) as Prometheus histogram sums and counts.
 */
export class ServeMetrics {
  private ttft = { sum: 0, count: 0 };
  private queue = { sum: 0, count: 0 };
  private requests = 0;

  /** One finished request: `receivedAt` and the result's times are on the engine's clock (ms). */
  observe(receivedAt: number, result: GenerateResult): void {
    this.requests++;
    this.queue.sum += Math.max(0, result.tStart - receivedAt) / 1000;
    this.queue.count++;
    if (result.tFirstToken !== undefined) {
      this.ttft.sum += Math.max(0, result.tFirstToken - receivedAt) / 1000;
      this.ttft.count++;
    }
  }

  exposition(load: EngineLoad, model: string): string {
    const labels = `{model_name=${JSON.stringify(model)}}`;
    return [
      '# HELP duet:num_requests_running Requests in the engine\'s running batch.',
      '# TYPE duet:num_requests_running gauge',
      `duet:num_requests_running${labels} ${load.running}`,
      '# HELP duet:num_requests_waiting Requests waiting in the engine\'s queue.',
      '# TYPE duet:num_requests_waiting gauge',
      `duet:num_requests_waiting${labels} ${load.queued}`,
      '# HELP duet:requests_total Requests finished.',
      '# TYPE duet:requests_total counter',
      `duet:requests_total${labels} ${this.requests}`,
      '# HELP duet:time_to_first_token_seconds Time from arrival to the first token.',
      '# TYPE duet:time_to_first_token_seconds histogram',
      `duet:time_to_first_token_seconds_bucket{le="+Inf",model_name=${JSON.stringify(model)}} ${this.ttft.count}`,
      `duet:time_to_first_token_seconds_sum${labels} ${this.ttft.sum}`,
      `duet:time_to_first_token_seconds_count${labels} ${this.ttft.count}`,
      '# HELP duet:request_queue_time_seconds Time from arrival to joining a batch.',
      '# TYPE duet:request_queue_time_seconds histogram',
      `duet:request_queue_time_seconds_bucket{le="+Inf",model_name=${JSON.stringify(model)}} ${this.queue.count}`,
      `duet:request_queue_time_seconds_sum${labels} ${this.queue.sum}`,
      `duet:request_queue_time_seconds_count${labels} ${this.queue.count}`,
      '',
    ].join('\n');
  }
}
