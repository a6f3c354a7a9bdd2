import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSquad, parseSquad } from '../../../source/core/dataset/squad.js';
import { UserError } from '../../../source/core/errors.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const devPath = path.resolve(repoRoot, '../shared/data/squad/dev-v2.0.reconstructed.json');
const tmp = mkdtempSync(path.join(tmpdir(), 'duet-squad-'));

const qa = (id: string, extra: object = {}) => ({ id, question: `Q ${id}?`, answers: [{ text: 'x', answer_start: 0 }], ...extra });
const doc = (qas: object[], extra: object = {}) => ({ version: 'v2.0', data: [{ title: 'T', paragraphs: [{ context: 'x y', qas }] }], ...extra });

function parseError(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    parseSquad(text, 'data.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('parseSquad', () => {
  it('reads SQuAD 2.0: articles, paragraphs, questions, gold answers, unanswerable flag', () => {
    const text = JSON.stringify({
      version: 'v2.0',
      data: [
        { title: 'One', paragraphs: [{ context: 'c0', qas: [qa('a'), { id: 'b', question: 'Qb?', answers: [], is_impossible: true, plausible_answers: [] }] }] },
        { title: 'Two', paragraphs: [{ context: 'c1', qas: [] }, { context: 'c2', qas: [qa('c', { answers: [{ text: 'p', answer_start: 0 }, { text: 'p q', answer_start: 0 }] })] }] },
      ],
    });
    const ds = parseSquad(text, 'data.json');
    expect(ds.version).toBe('v2.0');
    expect(ds.path).toBe('data.json');
    expect(ds.hash).toBe(createHash('sha256').update(Buffer.from(text)).digest('hex'));
    expect(ds.articles).toEqual([
      { title: 'One', paragraphs: [{ context: 'c0', questionIds: ['a', 'b'] }] },
      { title: 'Two', paragraphs: [{ context: 'c1', questionIds: [] }, { context: 'c2', questionIds: ['c'] }] },
    ]);
    expect(ds.questions[1]).toEqual({ id: 'b', question: 'Qb?', context: 'c0', answers: [], isImpossible: true, title: 'One', articleIndex: 0, paragraphIndex: 0 });
    expect(ds.questions[2]).toMatchObject({ id: 'c', answers: ['p', 'p q'], isImpossible: false, articleIndex: 1, paragraphIndex: 1, context: 'c2' });
  });

  it('reads SQuAD 1.1 (no is_impossible) as answerable', () => {
    const ds = parseSquad(JSON.stringify({ version: '1.1', data: [{ title: 'T', paragraphs: [{ context: 'x', qas: [qa('a')] }] }] }), 'v1.json');
    expect(ds.questions[0]!.isImpossible).toBe(false);
    expect(ds.version).toBe('1.1');
  });

  it('names the file and JSON path of the first problem', () => {
    expect(parseError('')).toBe('data.json: file is empty, expected JSON');
    expect(parseError(' \n ')).toBe('data.json: file is empty, expected JSON');
    expect(parseError('{\n  "data": [,]\n}')).toMatch(/^data\.json: not valid JSON at line 2, column 12: /);
    expect(parseError([])).toBe('data.json: (root): expected an object, got an array');
    expect(parseError({ version: 'v2.0' })).toBe('data.json: (root): missing field "data"');
    expect(parseError({ data: {} })).toBe('data.json: data: expected an array, got an object');
    expect(parseError({ version: 2, data: [] })).toBe('data.json: version: expected a string, got number 2');
    expect(parseError({ data: [] })).toBe('data.json: data: no questions found');
    expect(parseError({ data: [{ paragraphs: [] }] })).toBe('data.json: data[0]: missing field "title"');
    expect(parseError({ data: [{ title: 'T', paragraphs: 'p' }] })).toBe('data.json: data[0].paragraphs: expected an array, got "p"');
    expect(parseError({ data: [{ title: 'T', paragraphs: [{ context: 3, qas: [] }] }] })).toBe(
      'data.json: data[0].paragraphs[0].context: expected a string, got number 3',
    );
    expect(parseError({ data: [{ title: 'T', paragraphs: [{ context: 'c' }] }] })).toBe('data.json: data[0].paragraphs[0]: missing field "qas"');
    expect(parseError(doc([qa('a'), { question: 'q', answers: [] }]))).toBe('data.json: data[0].paragraphs[0].qas[1]: missing field "id"');
    expect(parseError(doc([qa('a'), qa('')]))).toBe('data.json: data[0].paragraphs[0].qas[1].id: expected a non-empty id');
    expect(parseError(doc([qa('a'), { id: 'b', answers: [] }]))).toBe('data.json: data[0].paragraphs[0].qas[1]: missing field "question"');
    expect(parseError(doc([qa('a', { answers: null })]))).toBe('data.json: data[0].paragraphs[0].qas[0].answers: expected an array, got null');
    expect(parseError(doc([qa('a', { answers: [{ answer_start: 0 }] })]))).toBe('data.json: data[0].paragraphs[0].qas[0].answers[0]: missing field "text"');
    expect(parseError(doc([qa('a', { answers: [{ text: 'x', answer_start: -1 }] })]))).toBe(
      'data.json: data[0].paragraphs[0].qas[0].answers[0].answer_start: expected a non-negative integer, got number -1',
    );
    expect(parseError(doc([qa('a', { is_impossible: 'no' })]))).toBe('data.json: data[0].paragraphs[0].qas[0].is_impossible: expected true or false, got "no"');
  });

  it('rejects duplicate question ids, naming the second occurrence', () => {
    const text = { data: [{ title: 'T', paragraphs: [{ context: 'c', qas: [qa('56be')] }, { context: 'd', qas: [qa('x'), qa('56be')] }] }] };
    expect(parseError(text)).toBe('data.json: data[0].paragraphs[1].qas[1].id: duplicate id "56be"');
  });

  it('does not mistake inherited properties for fields', () => {
    expect(parseError({ data: [{ constructor: 'x', paragraphs: [] }] })).toBe('data.json: data[0]: missing field "title"');
  });
});

describe('loadSquad', () => {
  it('reports missing files, folders and non-UTF-8 bytes as user errors', async () => {
    await expect(loadSquad(path.join(tmp, 'nope.json'))).rejects.toThrow(`${path.join(tmp, 'nope.json')}: dataset file not found`);
    await expect(loadSquad(tmp)).rejects.toThrow(/is a folder/);
    const latin1 = path.join(tmp, 'latin1.json');
    writeFileSync(latin1, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d])); // {"é"} in Latin-1
    await expect(loadSquad(latin1)).rejects.toThrow(`${latin1}: not valid UTF-8 text`);
    const empty = path.join(tmp, 'empty.json');
    writeFileSync(empty, '');
    await expect(loadSquad(empty)).rejects.toBeInstanceOf(UserError);
  });

  it('hashes the file bytes', async () => {
    const file = path.join(tmp, 'ok.json');
    const text = JSON.stringify(doc([qa('a')]));
    writeFileSync(file, text);
    const ds = await loadSquad(file);
    expect(ds.hash).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(ds.questions.map((q) => q.id)).toEqual(['a']);
  });

  it.skipIf(!existsSync(devPath))('loads the full dev set with the official counts', async () => {
    const ds = await loadSquad(devPath);
    expect(ds.questions).toHaveLength(11873);
    expect(ds.articles).toHaveLength(35);
    expect(ds.articles.reduce((n, a) => n + a.paragraphs.length, 0)).toBe(1204);
    expect(ds.questions.filter((q) => q.isImpossible)).toHaveLength(5945);
    expect(ds.questions.filter((q) => q.answers.length > 0)).toHaveLength(5928);
    expect(ds.hash).toBe('4dc60fec57badfdb33133736d1181a440882e0b2fecf5cd0d7e483e659464660');
  });
});

describe('JSON text helpers', () => {
  it('locate syntax errors by line and column and keep top-level key order', async () => {
    const { parseJsonText, topLevelKeys } = await import('../../../source/core/dataset/json-text.js');
    expect(() => parseJsonText('{"a": 1,}', 'f.json')).toThrow(/^f\.json: not valid JSON at line 1, column 9: /);
    expect(() => parseJsonText('{"a":1} x', 'f.json')).toThrow('f.json: not valid JSON at line 1, column 9: Unexpected non-whitespace character');
    expect(parseJsonText('\ufeff{"a":1}', 'f.json')).toEqual({ a: 1 });
    // integer-like keys keep their written place; a repeated key keeps its first place
    expect(topLevelKeys('{"b":1,"2":{"x":[1,"}"]},"1":3,"b":4}')).toEqual(['b', '2', '1']);
  });
});
