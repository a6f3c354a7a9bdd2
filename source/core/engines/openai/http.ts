/** Small HTTP helpers of the OpenAI backend: endpoint URLs, error text, secret redaction. */

/** `http://host:8001/v1` + `chat/completions`; a bare `http://host:8001` gets `/v1`. */
export function endpointUrl(base: string, path: string): string {
  const url = new URL(base);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  return `${url.href.replace(/\/+$/, '')}/${path}`;
}

/** Replaces every occurrence of the secrets in a text by ***. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** First non-empty line of a response body, shortened: enough to say what went wrong. */
export function firstLine(body: string): string {
  const line = body.split('\n').find((l) => l.trim() !== '')?.trim() ?? '(empty body)';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/** Names a fetch failure by its cause (ECONNREFUSED, ECONNRESET, ...) rather than "fetch failed". */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}

/** What a failed HTTP answer says, as a run records it: the server's words, and whether it was overload. */
export interface HttpFailure {
  message: string;
  /** 429, 503 and the like: the server refused for load, not for a fault. */
  overload: boolean;
}

/** Turns a non-2xx answer (status, content type, body text) into the failure a record carries. */
export function httpFailure(status: number, contentType: string, body: string): HttpFailure {
  void contentType;
  return { message: `HTTP ${status}: ${firstLine(body)}`, overload: status === 429 || status === 503 };
}
