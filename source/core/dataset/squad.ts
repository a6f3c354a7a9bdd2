import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { readUserFile } from '../files/read.js';
import { parseJsonText } from './json-text.js';

/** One SQuAD question with its gold answers (texts, in file order, duplicates kept). */
export interface SquadQuestion {
  id: string;
  question: string;
  context: string;
  /** Gold answer texts; [] for unanswerable questions. */
  answers: string[];
  /** SQuAD 2.0 `is_impossible`; absent (SQuAD 1.1) means answerable. */
  isImpossible: boolean;
  title: string;
  articleIndex: number;
  paragraphIndex: number;
}

export interface SquadDataset {
  path: string;
  /** The file's `version` field ('' when absent). */
  version: string;
  /** sha256 hex of the file bytes. */
  hash: string;
  articles: { title: string; paragraphs: { context: string; questionIds: string[] }[] }[];
  questions: SquadQuestion[];
}

/** Parses the official SQuAD JSON (2.0, or 1.1 without `is_impossible`). Pure: `path` only names the file in errors. */
export function parseSquad(text: string, path: string): SquadDataset {
  return parseWithHash(text, path, createHash('sha256').update(text, 'utf8').digest('hex'));
}

/** Far above any SQuAD file (2.0 train is 40 MB); a bigger one is a wrong path, not a dataset. */
export const MAX_DATASET_BYTES = 256 * 1024 * 1024;

export async function loadSquad(path: string): Promise<SquadDataset> {
  const bytes = await readUserFile(path, {
    what: 'dataset',
    maxBytes: MAX_DATASET_BYTES,
    limitHint: 'SQuAD 2.0 train is 40 MB',
    notFound: 'dataset file not found',
    folder: 'is a folder, expected a SQuAD JSON file',
  });
  const hash = createHash('sha256').update(bytes).digest('hex');
  return parseWithHash(decodeUtf8(bytes, path), path, hash);
}

/** Strict UTF-8 decoding (a BOM is kept for parseJsonText to drop): a file in another encoding is a user mistake. */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UserError(`${path}: not valid UTF-8 text (save the file as UTF-8)`);
  }
}

function parseWithHash(text: string, path: string, hash: string): SquadDataset {
  return new SquadReader(path).read(parseJsonText(text, path), hash);
}

type Json = unknown;

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Walks the JSON once, building the dataset and failing at the first problem with its JSON path. */
class SquadReader {
  private readonly seen = new Set<string>();

  constructor(private readonly path: string) {}

  read(root: Json, hash: string): SquadDataset {
    const top = this.object(root, '(root)');
    const version = top['version'] === undefined ? '' : this.string(top['version'], 'version');
    const data = this.array(this.field(top, 'data', '(root)'), 'data');
    const dataset: SquadDataset = { path: this.path, version, hash, articles: [], questions: [] };
    data.forEach((articleJson, articleIndex) => {
      const at = `data[${articleIndex}]`;
      const article = this.object(articleJson, at);
      const title = this.string(this.field(article, 'title', at), `${at}.title`);
      const paragraphsJson = this.array(this.field(article, 'paragraphs', at), `${at}.paragraphs`);
      const paragraphs = paragraphsJson.map((paragraphJson, paragraphIndex) => {
        const pAt = `${at}.paragraphs[${paragraphIndex}]`;
        const paragraph = this.object(paragraphJson, pAt);
        const context = this.string(this.field(paragraph, 'context', pAt), `${pAt}.context`);
        const qas = this.array(this.field(paragraph, 'qas', pAt), `${pAt}.qas`);
        const questionIds = qas.map((qaJson, qaIndex) => {
          const question = this.question(qaJson, `${pAt}.qas[${qaIndex}]`);
          dataset.questions.push({ ...question, context, title, articleIndex, paragraphIndex });
          return question.id;
        });
        return { context, questionIds };
      });
      dataset.articles.push({ title, paragraphs });
    });
    if (dataset.questions.length === 0) this.fail('data', 'no questions found');
    return dataset;
  }

  private question(json: Json, at: string): Pick<SquadQuestion, 'id' | 'question' | 'answers' | 'isImpossible'> {
    const qa = this.object(json, at);
    const id = this.string(this.field(qa, 'id', at), `${at}.id`);
    if (id.length === 0) this.fail(`${at}.id`, 'expected a non-empty id');
    if (this.seen.has(id)) this.fail(`${at}.id`, `duplicate id "${id}"`);
    this.seen.add(id);
    const question = this.string(this.field(qa, 'question', at), `${at}.question`);
    const answersJson = this.array(this.field(qa, 'answers', at), `${at}.answers`);
    const answers = answersJson.map((answerJson, i) => {
      const aAt = `${at}.answers[${i}]`;
      const answer = this.object(answerJson, aAt);
      const text = this.string(this.field(answer, 'text', aAt), `${aAt}.text`);
      const start = answer['answer_start'];
      if (start !== undefined && !(Number.isInteger(start) && (start as number) >= 0)) {
        this.fail(`${aAt}.answer_start`, `expected a non-negative integer, got ${describe(start)}`);
      }
      return text;
    });
    const impossible = qa['is_impossible'];
    if (impossible !== undefined && typeof impossible !== 'boolean') {
      this.fail(`${at}.is_impossible`, `expected true or false, got ${describe(impossible)}`);
    }
    return { id, question, answers, isImpossible: impossible === true };
  }

  private fail(at: string, message: string): never {
    throw new UserError(`${this.path}: ${at}: ${message}`);
  }

  private field(object: Record<string, Json>, key: string, at: string): Json {
    if (!Object.hasOwn(object, key)) this.fail(at, `missing field "${key}"`);
    return object[key];
  }

  private object(value: Json, at: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(at, `expected an object, got ${describe(value)}`);
    }
    return value as Record<string, Json>;
  }

  private array(value: Json, at: string): Json[] {
    if (!Array.isArray(value)) this.fail(at, `expected an array, got ${describe(value)}`);
    return value;
  }

  private string(value: Json, at: string): string {
    if (typeof value !== 'string') this.fail(at, `expected a string, got ${describe(value)}`);
    return value;
  }
}
