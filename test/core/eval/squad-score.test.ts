import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSquad, parseSquad, type SquadDataset } from '../../../source/core/dataset/squad.js';
import { evaluateSquad, scoreAnswer } from '../../../source/core/eval/squad-score.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const squadDir = path.resolve(repoRoot, '../shared/data/squad');
const devPath = path.join(squadDir, 'dev-v2.0.reconstructed.json');
const bertPath = path.join(squadDir, 'pred-bert-single-google.dev-v2.0.json');
const haveDev = existsSync(devPath) && existsSync(bertPath);

function dataset(questions: { id: string; answers: string[] }[]): SquadDataset {
  const qas = questions.map((q) => ({
    id: q.id,
    question: `question ${q.id}?`,
    answers: q.answers.map((text) => ({ text, answer_start: 0 })),
    is_impossible: q.answers.length === 0,
  }));
  return parseSquad(JSON.stringify({ version: 'v2.0', data: [{ title: 'T', paragraphs: [{ context: 'c', qas }] }] }), 'small.json');
}

describe('scoreAnswer', () => {
  it('computes token F1 with bag-of-words overlap', () => {
    // pred [big, red, dog] vs gold [big, dog]: P = 2/3, R = 1, F1 = 0.8
    expect(scoreAnswer('the big red dog', ['big dog'])).toEqual({ em: 0, f1: 0.8 });
    // repeated tokens count once per gold occurrence: P = 1/3, R = 1/2, F1 = 0.4
    expect(scoreAnswer('dog dog dog', ['dog cat']).f1).toBeCloseTo(0.4, 15);
  });

  it('takes the max over gold answers', () => {
    expect(scoreAnswer('Broncos', ['Denver Broncos', 'the Broncos'])).toEqual({ em: 1, f1: 1 });
    // vs "paris france": P = 1, R = 1/2, F1 = 2/3
    expect(scoreAnswer('France', ['Paris', 'Paris, France']).f1).toBeCloseTo(2 / 3, 15);
  });

  it('treats no gold, and gold that normalises to nothing, as the empty answer', () => {
    expect(scoreAnswer('', [])).toEqual({ em: 1, f1: 1 });
    expect(scoreAnswer('Paris', [])).toEqual({ em: 0, f1: 0 });
    expect(scoreAnswer('', ['The.', 'a'])).toEqual({ em: 1, f1: 1 });
    expect(scoreAnswer('the', ['!!'])).toEqual({ em: 1, f1: 1 }); // both sides have no tokens
    // an empty-normalising gold is dropped when a real one remains
    expect(scoreAnswer('', ['the', 'Paris'])).toEqual({ em: 0, f1: 0 });
  });
});

describe('evaluateSquad', () => {
  const ds = dataset([
    { id: 'q1', answers: ['Denver Broncos', 'the Broncos'] },
    { id: 'q2', answers: ['1,000 years'] },
    { id: 'q3', answers: [] },
    { id: 'q4', answers: ['The.'] }, // answerable by the file, but its gold normalises to ''
  ]);
  const preds = { q1: 'Broncos', q2: '1000 year', q4: 'something', zzz: 'stray' };

  it('scores by hand-computed values, counting missing predictions as empty and reporting ids', () => {
    // q1 em 1 f1 1; q2 em 0 f1 0.5; q3 (missing -> '') em 1 f1 1; q4 em 0 f1 0
    const { scores, missing, unknown } = evaluateSquad(ds, preds);
    expect(scores).toEqual({
      exact: 50,
      f1: 62.5,
      total: 4,
      HasAns_exact: 100 / 3,
      HasAns_f1: 50,
      HasAns_total: 3,
      NoAns_exact: 100,
      NoAns_f1: 100,
      NoAns_total: 1,
    });
    expect(Object.keys(scores)).toEqual(['exact', 'f1', 'total', 'HasAns_exact', 'HasAns_f1', 'HasAns_total', 'NoAns_exact', 'NoAns_f1', 'NoAns_total']);
    expect(missing).toEqual(['q3']);
    expect(unknown).toEqual(['zzz']);
  });

  it('applies the na-prob threshold and finds the best thresholds', () => {
    const naProbs = { q1: 0.9, q2: 0.2, q3: 0.95, q4: 0.5 };
    const { scores } = evaluateSquad(ds, preds, { naProbs, naProbThresh: 0.6 });
    // q1 (0.9 > 0.6) becomes "no answer": 0 for an answerable question; q3 likewise: 1
    expect(scores.exact).toBe(25);
    expect(scores.f1).toBe(37.5);
    // start at 1 (one NoAns); sorted q2 .2, q4 .5, q1 .9, q3 .95
    // exact: +0, +0, +1 (best 2 at .9), +0 -> 50 at .9 ; f1: +.5 (1.5 at .2), +0, +1 (2.5 at .9) -> 62.5 at .9
    expect(scores.best_exact).toBe(50);
    expect(scores.best_exact_thresh).toBe(0.9);
    expect(scores.best_f1).toBe(62.5);
    expect(scores.best_f1_thresh).toBe(0.9);
    expect(Object.keys(scores).slice(-4)).toEqual(['best_exact', 'best_exact_thresh', 'best_f1', 'best_f1_thresh']);
  });

  it('a threshold below every na-prob blanks every prediction, even without an na-prob file', () => {
    const { scores } = evaluateSquad(ds, preds, { naProbThresh: -1 });
    // every question scores float(not has_answer): only q3 scores 1
    expect(scores.exact).toBe(25);
    expect(scores.best_exact).toBeUndefined();
  });

  it('breaks na-prob ties in the file\'s key order, like the official stable sort', () => {
    const tie = dataset([
      { id: 'qa', answers: ['x'] },
      { id: 'qb', answers: [] },
    ]);
    const p = { qa: 'x', qb: 'y' };
    // qa first: 1 -> 2 (best, thresh .5) -> 1 ; qb first: 1 -> 0 -> 1 (never better than the start)
    expect(evaluateSquad(tie, p, { naProbs: { qa: 0.5, qb: 0.5 } }).scores.best_exact).toBe(100);
    const reversed = evaluateSquad(tie, p, { naProbs: { qb: 0.5, qa: 0.5 } }).scores;
    expect(reversed.best_exact).toBe(50);
    expect(reversed.best_exact_thresh).toBe(0);
    // integer-like keys: a Map keeps the file order that a plain object would reorder
    const numeric = dataset([
      { id: '2', answers: ['x'] },
      { id: '1', answers: [] },
    ]);
    const numericPreds = { '2': 'x', '1': 'y' };
    expect(evaluateSquad(numeric, numericPreds, { naProbs: new Map([['2', 0.5], ['1', 0.5]]) }).scores.best_exact).toBe(100);
    expect(evaluateSquad(numeric, numericPreds, { naProbs: new Map([['1', 0.5], ['2', 0.5]]) }).scores.best_exact).toBe(50);
  });

  it('omits the NoAns keys when every question is answerable', () => {
    const { scores } = evaluateSquad(dataset([{ id: 'a', answers: ['x'] }]), { a: 'x' });
    expect(scores).toEqual({ exact: 100, f1: 100, total: 1, HasAns_exact: 100, HasAns_f1: 100, HasAns_total: 1 });
  });

  it('rejects na-probs that leave out a predicted question', () => {
    expect(() => evaluateSquad(ds, preds, { naProbs: { q1: 0.1 } })).toThrow(/no na-prob for question id "q2"/);
  });

  it.skipIf(!haveDev)('matches the official script on the BERT dev predictions (SOURCES.md)', async () => {
    const dev = await loadSquad(devPath);
    const bert = JSON.parse(readFileSync(bertPath, 'utf8')) as Record<string, string>;
    const { scores, missing, unknown } = evaluateSquad(dev, bert);
    const official = {
      exact: 78.74168280973637,
      f1: 81.77528052374723,
      total: 11873,
      HasAns_exact: 74.10593792172739,
      HasAns_f1: 80.18183293833508,
      HasAns_total: 5928,
      NoAns_exact: 83.36417157275021,
      NoAns_f1: 83.36417157275021,
      NoAns_total: 5945,
    };
    expect(Object.keys(scores)).toEqual(Object.keys(official));
    for (const [key, value] of Object.entries(official)) {
      expect(Math.abs((scores as unknown as Record<string, number>)[key]! - value), key).toBeLessThan(1e-9);
    }
    expect(missing).toEqual([]);
    expect(unknown).toEqual([]);
  });
});
