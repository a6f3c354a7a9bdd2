import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPromptBuilder, SYSTEM_PROMPT } from '../../../source/core/dataset/prompt.js';
import { loadSquad, parseSquad, type SquadDataset } from '../../../source/core/dataset/squad.js';
import { loadLlama3Tokenizer, type TextTokenizer } from '../../../source/core/dataset/tokenizer.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const devPath = path.resolve(repoRoot, '../shared/data/squad/dev-v2.0.reconstructed.json');
let tokenizer: TextTokenizer;
beforeAll(async () => {
  tokenizer = await loadLlama3Tokenizer();
});

describe('Llama 3 tokenizer', () => {
  it('encodes known ids and special tokens, and decodes back', () => {
    expect(tokenizer.encode('Hello world')).toEqual([9906, 1917]);
    const ids = tokenizer.encode('<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>');
    expect(ids[0]).toBe(128000);
    expect(ids.slice(1, 4)).toEqual([128006, 882, 128007]);
    expect(ids.at(-1)).toBe(128009);
    const text = 'Straße, 1,000 “quotes” ✓';
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    expect(tokenizer.vocabSize).toBe(128256);
    expect(tokenizer.eosIds).toContain(128009);
  });

  it('decodes an empty answer to the empty string (the tokenizer library throws on [])', () => {
    expect(tokenizer.decode([])).toBe('');
  });

  it('is loaded once per folder', async () => {
    expect(await loadLlama3Tokenizer()).toBe(tokenizer);
  });
});

const small = (context: string, question = 'What is it?'): SquadDataset =>
  parseSquad(JSON.stringify({ data: [{ title: 'T', paragraphs: [{ context, qas: [{ id: 'q1', question, answers: [] }] }] }] }), 'small.json');

describe('createPromptBuilder', () => {
  it('renders the Llama 3 chat template, with messages carrying the same texts', () => {
    const ds = small('The sky is blue.', ' What colour is the sky? ');
    const built = createPromptBuilder({ tokenizer, inputTokens: 512, mode: 'max' })(ds.questions[0]!, ds);
    const user = 'Context:\nThe sky is blue.\n\nQuestion: What colour is the sky?';
    expect(built.messages).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: user },
    ]);
    expect(built.promptText).toBe(
      `<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n${SYSTEM_PROMPT}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n${user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
    );
    expect(built.promptIds).toEqual(tokenizer.encode(built.promptText));
    expect(built.promptTokens).toBe(built.promptIds.length);
    expect(built.contextTrimmed).toBe(false);
  });

  it('names the question when the question alone exceeds the budget', () => {
    const ds = small('x', 'why '.repeat(300));
    expect(() => createPromptBuilder({ tokenizer, inputTokens: 128, mode: 'max' })(ds.questions[0]!, ds)).toThrow(/^question q1: the prompt without context takes \d+ tokens, more than the input budget of 128$/);
  });

  it('refuses exact mode when the whole dataset is shorter than the budget', () => {
    const ds = small('Short.');
    expect(() => createPromptBuilder({ tokenizer, inputTokens: 512, mode: 'exact' })(ds.questions[0]!, ds)).toThrow(/too little text to fill exactly 512/);
  });

  describe.skipIf(!existsSync(devPath))('on real dev-set articles', () => {
    let dev: SquadDataset;
    beforeAll(async () => {
      dev = await loadSquad(devPath);
    });
    const sample = () => dev.questions.filter((_, i) => i % 397 === 0); // 30 questions across the articles

    it('exact mode gives exactly the budget, tokenised consistently, starting with the own paragraph', () => {
      for (const budget of [512, 160]) {
        const build = createPromptBuilder({ tokenizer, inputTokens: budget, mode: 'exact' });
        for (const q of sample()) {
          const built = build(q, dev);
          expect(built.promptTokens, q.id).toBe(budget);
          expect(tokenizer.encode(built.promptText), q.id).toEqual(built.promptIds);
          const context = built.messages[1]!.content.slice('Context:\n'.length);
          const own = tokenizer.encode(q.context).length;
          // a paragraph that fits leaves room for more: the neighbours fill it, and the own one stays whole
          if (own + 120 < budget) {
            expect(context.startsWith(`${q.context}\n\n`), q.id).toBe(true);
            expect(built.contextTrimmed).toBe(false);
          }
        }
      }
    });

    it('max mode fits the budget and trims only long contexts', () => {
      const build = createPromptBuilder({ tokenizer, inputTokens: 160, mode: 'max' });
      let trimmed = 0;
      for (const q of sample()) {
        const built = build(q, dev);
        const whole = createPromptBuilder({ tokenizer, inputTokens: 100_000, mode: 'max' })(q, dev);
        expect(built.promptTokens).toBeLessThanOrEqual(160);
        expect(built.contextTrimmed).toBe(whole.promptTokens > 160);
        if (built.contextTrimmed) {
          trimmed++;
          expect(built.promptTokens).toBeGreaterThanOrEqual(158); // trimmed as little as possible
          expect(q.context.startsWith(built.messages[1]!.content.slice('Context:\n'.length).split('\n\nQuestion: ')[0]!)).toBe(true);
        } else {
          expect(built).toEqual(whole);
        }
      }
      expect(trimmed).toBeGreaterThan(5);
    });
  });
});
