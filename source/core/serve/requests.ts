import { z } from 'zod';
import type { ChatMessage } from '../engines/engine.js';

/**
 * The parts of OpenAI requests that `duet serve` honours. Objects are loose on purpose:
 * clients send fields we do not use (temperature, top_p, user, ...), and refusing them
 * would break common libraries. Generation is greedy whatever temperature says.
 */

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const content = z.union([z.string(), z.array(textPart)]);
const message = z.object({ role: z.enum(['system', 'developer', 'user', 'assistant']), content });
const positiveInt = z.number().int().positive();

const common = {
  model: z.string().min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: positiveInt.nullish(),
  n: z.literal(1, { error: 'only n = 1 is supported' }).nullish(),
};

const chatSchema = z.object({ ...common, messages: z.array(message).min(1), max_completion_tokens: positiveInt.nullish() });
const completionSchema = z.object({ ...common, prompt: z.union([z.string(), z.array(z.string()).length(1, { error: 'one prompt per request' })]) });

export interface ServeRequest {
  kind: 'chat' | 'completions';
  model: string;
  messages: ChatMessage[];
  /** Completions only: the prompt as given. */
  prompt?: string;
  stream: boolean;
  includeUsage: boolean;
  /** Asked-for limit, before the server's cap. */
  maxTokens?: number;
}

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}

function fail(error: z.ZodError): never {
  const issue = error.issues[0]!;
  const param = issue.path.length ? issue.path.join('.') : null;
  throw new BadRequest(param ? `${param}: ${issue.message}` : issue.message, param);
}

/** Validates a parsed JSON body; throws BadRequest naming the first bad field. */
export function parseServeRequest(kind: 'chat' | 'completions', body: unknown): ServeRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the request body must be a JSON object');
  const shared = (r: z.infer<typeof chatSchema> | z.infer<typeof completionSchema>) => ({
    model: r.model,
    stream: r.stream === true,
    includeUsage: r.stream_options?.include_usage === true,
  });
  if (kind === 'chat') {
    const parsed = chatSchema.safeParse(body);
    if (!parsed.success) fail(parsed.error);
    const r = parsed.data;
    const messages = r.messages.map((m) => ({
      role: m.role === 'developer' ? ('system' as const) : m.role,
      content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
    }));
    return { kind, ...shared(r), messages, maxTokens: r.max_completion_tokens ?? r.max_tokens ?? undefined };
  }
  const parsed = completionSchema.safeParse(body);
  if (!parsed.success) fail(parsed.error);
  const r = parsed.data;
  const prompt = typeof r.prompt === 'string' ? r.prompt : r.prompt[0]!;
  return { kind, ...shared(r), messages: [{ role: 'user', content: prompt }], prompt, maxTokens: r.max_tokens ?? undefined };
}
