import { systemClock, type Clock } from '../../clock.js';
import { UserError } from '../../errors.js';
import { sharedPlane, type MeasuringPlane } from '../../plane/plane.js';
import type { ModelProfile } from '../../profile/schema.js';
import type { Engine, EngineInfo, EngineLoad, GenerateRequest, GenerateResult, TokenEvent } from '../engine.js';
import { describeFetchError, endpointUrl, redact } from './http.js';
import { requestHeaders, streamJob, type ModelEndpoint } from './request.js';
import { PromptCountCheck } from './prompt-count.js';
import { RequestFailure, toGenerateResult } from './result.js';

export interface OpenAIEngineOptions {
  clock?: Clock;
  /** For start()'s /v1/models look-up only; answers stream on the measuring plane. */
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  /** Counts output tokens when the server reports no usage (our tokenizer); else one per delta. */
  countTokens?: (text: string) => number;
  /** The measuring plane that streams the answers (default: the process's shared one). */
  plane?: MeasuringPlane;
  /** Said once per model when the server's prompt_tokens disagree with duet's count (see prompt-count.ts). */
  onWarning?: (message: string) => void;
}

/** Metadata `duet serve` adds to its /v1/models entries. */
interface ModelEntry {
  id?: unknown;
  duet?: { synthetic?: unknown };
}

/**
 * An Engine over an OpenAI-compatible HTTP server (vllm-ascend, MindIE, llama.cpp,
 * `duet serve`). Answers stream on the measuring plane (client worker threads that stamp
 * each token where its bytes arrive); this class only prepares requests and reads results.
 * It never retries: a benchmark must count every failure.
 */
export function createOpenAIEngine(model: ModelProfile, options: OpenAIEngineOptions = {}): Engine {
  const bases = model.endpoints?.length ? model.endpoints : model.url ? [model.url] : [];
  if (bases.length === 0) throw new UserError(`model "${model.label}": backend openai needs a url (e.g. http://127.0.0.1:8001/v1)`);
  let apiKey: string | undefined;
  if (model.apiKeyEnv) {
    apiKey = (options.env ?? process.env)[model.apiKeyEnv];
    if (!apiKey) throw new UserError(`model "${model.label}": environment variable ${model.apiKeyEnv} (apiKeyEnv) is not set`);
  }
  return new OpenAIEngine(model, bases, apiKey, options);
}

class OpenAIEngine implements Engine {
  readonly sendsOnSchedule = true;
  private readonly clock: Clock;
  private readonly plane: MeasuringPlane;
  private served: string | undefined;
  private synthetic = false;
  private next = 0;
  private running = 0;
  private planeHeld?: Promise<void>;
  private readonly inFlight = new Set<string>();
  private readonly promptCounts = new PromptCountCheck();

  constructor(
    private readonly model: ModelProfile,
    private readonly bases: string[],
    private readonly apiKey: string | undefined,
    private readonly options: OpenAIEngineOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.plane = options.plane ?? sharedPlane();
    this.served = model.served;
  }

  info(): EngineInfo {
    const { model } = this;
    return { label: model.label, backend: 'openai', model: this.served ?? model.label, device: model.device ?? 'remote', synthetic: this.synthetic, url: this.bases[0] };
  }

  load(): EngineLoad {
    return { queued: 0, running: this.running, batchSize: this.running };
  }

  /** Learns the served name (when the profile omits it) and whether this is duet's synthetic demo model. */
  async start(): Promise<void> {
    await this.holdPlane();
    const url = endpointUrl(this.bases[0]!, 'models');
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, { headers: requestHeaders(this.apiKey), signal: AbortSignal.timeout(Math.min(this.model.requestTimeoutMs, 10_000)) });
    } catch (error) {
      throw new Error(this.clean(`model "${this.model.label}": cannot reach ${url}: ${describeFetchError(error)}`));
    }
    if (!response.ok) {
      await response.body?.cancel();
      return; // Not every server lists models; generation will tell.
    }
    const body = (await response.json().catch(() => undefined)) as { data?: ModelEntry[] } | undefined;
    const entries = Array.isArray(body?.data) ? body.data : [];
    const entry = entries.find((e) => e.id === this.served) ?? (this.served === undefined ? entries[0] : undefined);
    if (this.served === undefined && typeof entry?.id === 'string') this.served = entry.id;
    this.synthetic = entry?.duet?.synthetic === true;
  }

  async generate(request: GenerateRequest, onToken?: (token: TokenEvent) => void): Promise<GenerateResult> {
    const endpoint = this.endpoint(this.bases[this.next++ % this.bases.length]!);
    const job = streamJob(endpoint, request);
    const where = `model "${this.model.label}" (${job.url})`;
    if (request.signal?.aborted) {
      const t = this.clock.now();
      return { text: '', tokenIds: [], promptTokens: request.promptIds.length, outputTokens: 0, tSent: t, tStart: t, tEnd: t, tokenTimes: [], finishReason: 'abort' };
    }
    await this.holdPlane();
    const onAbort = () => this.plane.abort(request.id);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    this.running++;
    this.inFlight.add(request.id);
    try {
      const result = await this.plane.submit(job, onToken ? (t) => onToken({ text: '', t }) : undefined);
      const answer = toGenerateResult(result, request, { where, timeoutMs: this.model.requestTimeoutMs, ...(this.options.countTokens ? { countTokens: this.options.countTokens } : {}) });
      // promptTokens is the server's usage when it gave one, else duet's own count (no difference).
      const warning = this.promptCounts.check(this.model.label, request.promptIds.length, answer.promptTokens);
      if (warning) this.options.onWarning?.(warning);
      return answer;
    } catch (error) {
      if (error instanceof RequestFailure) throw new RequestFailure(this.clean(error.message), error.overload);
      throw error;
    } finally {
      this.running--;
      this.inFlight.delete(request.id);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  async stop(): Promise<void> {
    for (const id of this.inFlight) this.plane.abort(id);
    if (!this.planeHeld) return;
    this.planeHeld = undefined;
    await this.plane.release();
  }

  private holdPlane(): Promise<void> {
    this.planeHeld ??= this.plane.acquire();
    return this.planeHeld;
  }

  private endpoint(base: string): ModelEndpoint {
    return {
      label: this.model.label,
      base,
      api: this.model.api,
      ...(this.apiKey ? { apiKey: this.apiKey } : {}),
      ...(this.served !== undefined ? { served: this.served } : {}),
      requestTimeoutMs: this.model.requestTimeoutMs,
      ...(this.model.dialect ? { dialect: this.model.dialect } : {}),
      ...(this.model.cumulativeDeltas !== undefined ? { cumulativeDeltas: this.model.cumulativeDeltas } : {}),
    };
  }

  private clean(text: string): string {
    return redact(text, [this.apiKey]);
  }
}
