import type { ChatMessage } from '../engines/engine.js';
import { UserError } from '../errors.js';
import type { SquadDataset, SquadQuestion } from './squad.js';
import type { TextTokenizer } from './tokenizer.js';

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** The chat rendered with the Llama 3 Instruct template (what the HF chat template yields). */
  promptText: string;
  /** The tokens of promptText (as tokenizer.encode(promptText)), so in-process and server-side counts agree. */
  promptIds: number[];
  promptTokens: number;
  /** True when the question's own paragraph is not wholly in the prompt (the answer may be cut off). */
  contextTrimmed: boolean;
}

export type PromptMode = 'max' | 'exact';

export const SYSTEM_PROMPT =
  'You answer questions about a context. Reply with the shortest span copied exactly from the context that answers the question, ' +
  'and nothing else. If the context does not contain the answer, reply with: unanswerable';

export function userPrompt(context: string, question: string): string {
  return `Context:\n${context}\n\nQuestion: ${question}`;
}

/** Llama 3 Instruct template; contents carry no outer whitespace, so the HF template's `| trim` changes nothing. */
export function renderLlama3Chat(messages: ChatMessage[]): string {
  const turns = messages.map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content}<|eot_id|>`).join('');
  return `<|begin_of_text|>${turns}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

/** Paragraphs to draw from in exact mode: the question's own, the rest of its article (following, then preceding), then later articles. */
function* neighbouringParagraphs(question: SquadQuestion, dataset: SquadDataset): Generator<string> {
  const own = dataset.articles[question.articleIndex]?.paragraphs ?? [];
  yield question.context;
  for (let p = question.paragraphIndex + 1; p < own.length; p++) yield own[p]!.context;
  for (let p = question.paragraphIndex - 1; p >= 0; p--) yield own[p]!.context;
  const count = dataset.articles.length;
  for (let step = 1; step < count; step++) {
    for (const paragraph of dataset.articles[(question.articleIndex + step) % count]!.paragraphs) yield paragraph.context;
  }
}

/**
 * The template split at its special tokens, which the tokenizer never merges across: the
 * system part and the closing part are tokenised once, only the user turn per candidate.
 */
function chatTokens(tokenizer: TextTokenizer) {
  const head = tokenizer.encode(`<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n${SYSTEM_PROMPT}<|eot_id|><|start_header_id|>user<|end_header_id|>`);
  const tail = tokenizer.encode('<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
  return {
    userIds: (user: string) => tokenizer.encode(`\n\n${user}`),
    count: (userIds: number[]) => head.length + userIds.length + tail.length,
    join: (userIds: number[]) => [...head, ...userIds, ...tail],
  };
}

/**
 * Builds Llama 3 chat prompts within a token budget. `max`: the context is cut so the whole
 * prompt fits in `inputTokens`. `exact`: the context is extended with neighbouring paragraphs
 * and cut so the prompt is exactly `inputTokens` long, so that every query costs the same.
 */
export function createPromptBuilder(opts: { tokenizer: TextTokenizer; inputTokens: number; mode: PromptMode }) {
  const { tokenizer, inputTokens: budget, mode } = opts;
  const chat = chatTokens(tokenizer);
  const separator = tokenizer.encode('\n\n');
  const paragraphs = new Map<string, Bounded>();
  /** A paragraph's tokens, or those of a prefix of it that already holds more than the budget. */
  const boundedOf = (paragraph: string): Bounded => {
    let bounded = paragraphs.get(paragraph);
    if (!bounded) {
      if (paragraphs.size > 20_000) paragraphs.clear();
      paragraphs.set(paragraph, (bounded = boundedTokens(tokenizer, paragraph, budget)));
    }
    return bounded;
  };

  return (question: SquadQuestion, dataset: SquadDataset): BuiltPrompt => {
    const questionText = question.question.trim();
    const userOf = (context: string) => userPrompt(context, questionText);
    const build = (context: string, userIds = chat.userIds(userOf(context))): BuiltPrompt => {
      const messages: ChatMessage[] = [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: userOf(context) },
      ];
      const promptIds = chat.join(userIds);
      return { messages, promptText: renderLlama3Chat(messages), promptIds, promptTokens: promptIds.length, contextTrimmed: !context.startsWith(question.context) };
    };
    const measure = (context: string) => {
      const userIds = chat.userIds(userOf(context));
      return { count: chat.count(userIds), make: () => build(context, userIds) };
    };

    const overhead = measure('').count;
    if (overhead > budget) {
      throw new UserError(`question ${question.id}: the prompt without context takes ${overhead} tokens, more than the input budget of ${budget}`);
    }
    if (mode === 'max') {
      const own = boundedOf(question.context);
      // A context cut to its bounded prefix surely does not fit whole: only the prefix is ever tokenised.
      if (own.text === question.context) {
        const whole = measure(question.context);
        if (whole.count <= budget) return whole.make();
      }
      return fitContext(tokenizer, own.text, own.ids, budget, overhead, measure, 'atMost');
    }
    const texts: string[] = [];
    const ids: number[] = [];
    for (const paragraph of neighbouringParagraphs(question, dataset)) {
      if (texts.length > 0) ids.push(...separator);
      const bounded = boundedOf(paragraph);
      texts.push(bounded.text);
      ids.push(...bounded.ids);
      if (overhead + ids.length > budget + 8) break;
    }
    const context = texts.join('\n\n');
    if (overhead + ids.length <= budget + 8 && measure(context).count < budget) {
      throw new UserError(`question ${question.id}: ${dataset.path} has too little text to fill exactly ${budget} input tokens`);
    }
    return fitContext(tokenizer, context, ids, budget, overhead, measure, 'exact');
  };
}

type Measure = (context: string) => { count: number; make: () => BuiltPrompt };

/** A text's tokens; for a long one, a prefix of it and the prefix's tokens. */
interface Bounded {
  text: string;
  ids: number[];
}

/**
 * Tokenises a bounded prefix of `text` that holds more than `budget` tokens, never the
 * whole of a huge text: a 1 MB context tokenised for every question blocked the main
 * thread for seconds (no status line, no log flush, a slow Ctrl-C). The prefix starts at
 * 8 characters per budget token (English runs about 4) and doubles while it holds too few.
 */
export function boundedTokens(tokenizer: TextTokenizer, text: string, budget: number): Bounded {
  const enough = budget + 16;
  for (let chars = Math.max(64, budget * 8); ; chars *= 2) {
    if (chars >= text.length) return { text, ids: tokenizer.encode(text) };
    // Never split a surrogate pair at the cut.
    const end = text.charCodeAt(chars - 1) >= 0xd800 && text.charCodeAt(chars - 1) <= 0xdbff ? chars - 1 : chars;
    const prefix = text.slice(0, end);
    const ids = tokenizer.encode(prefix);
    if (ids.length > enough) return { text: prefix, ids };
  }
}

/**
 * Cuts `context` so the prompt has `budget` tokens (`exact`) or as many as fit (`atMost`).
 * Cut points are token boundaries of the context (`ids` decode to it); since re-tokenising a
 * cut text can merge or split tokens at the seam, every candidate is measured on the real prompt.
 */
function fitContext(
  tokenizer: TextTokenizer,
  context: string,
  ids: number[],
  budget: number,
  overhead: number,
  measure: Measure,
  goal: 'exact' | 'atMost',
): BuiltPrompt {
  const prefixes = new Map<number, string>();
  /** Longest decodable prefix of the first k context tokens (a cut inside a UTF-8 sequence is backed off). */
  const prefix = (k: number): string => {
    let text = prefixes.get(k);
    if (text === undefined) {
      let j = Math.max(0, Math.min(k, ids.length));
      text = tokenizer.decode(ids.slice(0, j));
      while (j > 0 && !context.startsWith(text)) text = tokenizer.decode(ids.slice(0, --j));
      prefixes.set(k, text);
    }
    return text;
  };
  const measured = new Map<number, ReturnType<Measure>>();
  const at = (k: number) => {
    let result = measured.get(k);
    if (!result) measured.set(k, (result = measure(prefix(k))));
    return result;
  };

  // Walk k towards the budget: the count moves almost one for one with k.
  let k = Math.min(ids.length, Math.max(0, budget - overhead));
  for (let step = 0; step < 12; step++) {
    const diff = budget - at(k).count;
    if (diff === 0) return at(k).make();
    const next = Math.min(ids.length, Math.max(0, k + diff));
    if (next === k || measured.has(next)) break;
    k = next;
  }
  // Bracket: the largest k whose prompt fits.
  while (k > 0 && at(k).count > budget) k--;
  while (k < ids.length && at(k + 1).count <= budget) k++;
  if (goal === 'atMost' || at(k).count === budget) return at(k).make();

  // No token boundary lands exactly: the count jumps by two where the cut ends in punctuation or a
  // space, which the tokenizer merges with the "\n\n" that follows (".\n\n" is one token). Try
  // character cuts nearby, as they are, with a trailing space (" \n\n" is a token of its own, so
  // "x. " keeps its period apart) and with an ellipsis marking the cut (" …" is a token of its own:
  // "x … " costs the tokens of x plus two, whatever x ends with).
  const from = prefix(Math.max(0, k - 2)).length;
  const to = prefix(Math.min(ids.length, k + 3)).length;
  for (const variant of [(cut: string) => cut, (cut: string) => `${cut.trimEnd()} `, (cut: string) => `${cut.trimEnd()} … `]) {
    for (let end = to; end > from; end--) {
      const candidate = measure(variant(context.slice(0, end)));
      if (candidate.count === budget) return candidate.make();
    }
  }
  throw new UserError(`could not cut the context to exactly ${budget} prompt tokens (closest: ${at(k).count})`);
}
