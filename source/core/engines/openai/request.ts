import type { ModelProfile } from '../../profile/schema.js';
import type { GenerateRequest } from '../engine.js';
import type { StreamJob } from '../../plane/protocol.js';
import type { DialectName } from './dialects/index.js';
import { endpointUrl } from './http.js';

/** The HTTP side of one model: where requests go and with what headers. */
export interface ModelEndpoint {
  label: string;
  base: string;
  api: ModelProfile['api'];
  apiKey?: string;
  served?: string;
  requestTimeoutMs: number;
  /** The server family's stream dialect, and whether its deltas are cumulative (profile: dialect, cumulativeDeltas). */
  dialect?: DialectName;
  cumulativeDeltas?: boolean | 'auto';
}

export function requestHeaders(apiKey: string | undefined): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  };
}

export function completionUrl(endpoint: ModelEndpoint): string {
  return endpointUrl(endpoint.base, endpoint.api === 'chat' ? 'chat/completions' : 'completions');
}

/**
 * One greedy streaming request, ready for the measuring plane. The request id travels as
 * `x-request-id` (vLLM, SGLang and TGI log it), so a server-side trace can be joined to duet's.
 */
export function streamJob(endpoint: ModelEndpoint, request: GenerateRequest): StreamJob {
  const body = {
    model: endpoint.served ?? endpoint.label,
    ...(endpoint.api === 'chat' ? { messages: request.messages } : { prompt: request.promptText }),
    stream: true,
    // vLLM can report usage on every chunk: the tokens each chunk carried (others may refuse the field).
    stream_options: { include_usage: true, ...(endpoint.dialect === 'vllm' ? { continuous_usage_stats: true } : {}) },
    temperature: 0,
    max_tokens: request.maxNewTokens,
  };
  return {
    id: request.id,
    url: completionUrl(endpoint),
    headers: { ...requestHeaders(endpoint.apiKey), 'x-request-id': request.id },
    body: JSON.stringify(body),
    decoder: {
      api: endpoint.api,
      maxNewTokens: request.maxNewTokens,
      ...(endpoint.dialect ? { dialect: endpoint.dialect } : {}),
      ...(endpoint.cumulativeDeltas !== undefined ? { cumulative: endpoint.cumulativeDeltas } : {}),
    },
    timeoutMs: endpoint.requestTimeoutMs,
    ...(request.sendAt !== undefined ? { sendAt: request.sendAt } : {}),
  };
}
