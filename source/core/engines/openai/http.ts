/** Small HTTP helpers of the OpenAI backend: endpoint URLs, error text, secret redaction. */
import { clip, errorMessageOf, errorTypeOf } from './chunk.js';
import { dialectFor, isOverloadText, type Dialect } from './dialects/index.js';

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

/**
 * Turns a non-2xx answer (status, content type, body text) into the failure a record
 * carries, in the server's own words: a JSON body by its message (every family's shape,
 * see chunk.ts), an HTML page (a proxy's 502) by its title or first heading, text as it is.
 */
export function httpFailure(status: number, contentType: string, body: string, dialect: Dialect = dialectFor()): HttpFailure {
  const words = serverWords(contentType, body);
  const overload = status === 429 || status === 503 || isOverloadText(dialect, words);
  return { message: `HTTP ${status}: ${words}`, overload };
}

/** The message a response body carries, whatever its format. */
export function serverWords(contentType: string, body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '(empty body)';
  if (/json/i.test(contentType) || /^[{[]/.test(trimmed)) {
    try {
      const parsed: unknown = JSON.parse(jsonPart(trimmed));
      const message = errorMessageOf(parsed);
      if (message !== undefined) {
        const type = errorTypeOf(parsed);
        return clip(type && !message.includes(type) ? `${message} (${type})` : message);
      }
      return clip(trimmed);
    } catch {
      // not JSON after all: read it as text
    }
  }
  if (/html/i.test(contentType) || /^<(!doctype|html|head|body)/i.test(trimmed)) {
    const heading = tagText(trimmed, 'title') ?? tagText(trimmed, 'h1') ?? tagText(trimmed, 'h2');
    if (heading) return clip(heading);
    const text = decodeEntities(trimmed.replace(/<[^>]*>/g, ' '));
    return clip(text.replace(/\s+/g, ' ').trim() || '(an HTML page with no text)');
  }
  return clip(trimmed);
}

/** The whole body when it parses, else its first line (a JSON error with a trailer after it). */
function jsonPart(body: string): string {
  try {
    JSON.parse(body);
    return body;
  } catch {
    return body.split('\n')[0]!;
  }
}

function tagText(html: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'i').exec(html);
  const text = match ? decodeEntities(match[1]!.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim() : '';
  return text === '' ? undefined : text;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}
