import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPromptBuilder } from '../../../source/core/dataset/prompt.js';
import { loadSquad } from '../../../source/core/dataset/squad.js';
import { loadLlama3Tokenizer } from '../../../source/core/dataset/tokenizer.js';
import { evaluateSquad } from '../../../source/core/eval/squad-score.js';

const samplePath = path.resolve(import.meta.dirname, '../../../examples/squad-sample.json');

interface RawAnswer {
  text: string;
  answer_start: number;
}
interface RawQa {
  id: string;
  answers: RawAnswer[];
  plausible_answers?: RawAnswer[];
  is_impossible: boolean;
}
const raw = JSON.parse(readFileSync(samplePath, 'utf8')) as { version: string; data: { paragraphs: { context: string; qas: RawQa[] }[] }[] };

describe('examples/squad-sample.json', () => {
  it('is official SQuAD 2.0 with correct answer offsets', () => {
    expect(raw.version).toBe('v2.0');
    for (const paragraph of raw.data.flatMap((a) => a.paragraphs)) {
      for (const qa of paragraph.qas) {
        expect(qa.is_impossible, qa.id).toBe(qa.answers.length === 0);
        for (const answer of [...qa.answers, ...(qa.plausible_answers ?? [])]) {
          expect(paragraph.context.slice(answer.answer_start, answer.answer_start + answer.text.length), qa.id).toBe(answer.text);
        }
      }
    }
  });

  it('has enough questions, paragraphs and unanswerable ones, with answers that need normalising', async () => {
    const ds = await loadSquad(samplePath);
    expect(ds.questions.length).toBeGreaterThanOrEqual(48);
    expect(ds.articles.flatMap((a) => a.paragraphs).length).toBeGreaterThanOrEqual(10);
    expect(ds.questions.filter((q) => q.isImpossible).length * 3).toBeGreaterThanOrEqual(ds.questions.length);
    const golds = ds.questions.flatMap((q) => q.answers);
    expect(golds.some((a) => /^(the|a|an) /i.test(a))).toBe(true);
    expect(golds.some((a) => /\d,\d/.test(a))).toBe(true);
    expect(golds.some((a) => /[A-Z]/.test(a[0]!))).toBe(true);
    expect(ds.questions.filter((q) => q.answers.length > 1).length).toBeGreaterThan(10);
    // predictions that differ only by case, articles and punctuation score as exact matches
    const { scores } = evaluateSquad(ds, { 'sq-velm-03': '2000', 'sq-light-06': 'clockwork mechanism.', 'sq-bread-01': 'BACTERIA' });
    expect(scores.HasAns_exact).toBeCloseTo((3 / ds.questions.filter((q) => q.answers.length > 0).length) * 100, 9);
  });

  it('fills exact-mode prompts of 512 tokens for every question', async () => {
    const ds = await loadSquad(samplePath);
    const build = createPromptBuilder({ tokenizer: await loadLlama3Tokenizer(), inputTokens: 512, mode: 'exact' });
    for (const q of ds.questions) expect(build(q, ds).promptTokens, q.id).toBe(512);
  });
});
