import { UserError } from '../errors.js';

/**
 * JSON text helpers for user files: errors with line and column (V8's messages do not
 * always carry a position), and the key order of a top-level object as written
 * (JavaScript objects list integer-like keys first, Python dicts keep file order).
 */

const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const WHITESPACE = /[ \t\n\r]*/y;

class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

/** A JSON scanner that validates without building values; `onTopKey` sees each top-level object key in order. */
class Scanner {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly onTopKey?: (key: string, valueStart: number, valueEnd: number) => void,
  ) {}

  document(): void {
    this.value(0);
    this.skipWhitespace();
    if (this.pos !== this.text.length) throw new SyntaxAt(this.pos);
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  private token(pattern: RegExp): string {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (!match) throw new SyntaxAt(this.pos);
    this.pos = pattern.lastIndex;
    return match[0];
  }

  private expect(ch: string): void {
    this.skipWhitespace();
    if (this.text[this.pos] !== ch) throw new SyntaxAt(this.pos);
    this.pos += 1;
  }

  private value(depth: number): void {
    this.skipWhitespace();
    const ch = this.text[this.pos];
    if (ch === '{') this.object(depth);
    else if (ch === '[') this.array(depth);
    else if (ch === '"') this.token(STRING);
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) this.token(NUMBER);
    else this.token(LITERAL);
  }

  private object(depth: number): void {
    this.pos += 1;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') throw new SyntaxAt(this.pos);
      const key = this.token(STRING);
      this.expect(':');
      this.skipWhitespace();
      const start = this.pos;
      this.value(depth + 1);
      if (depth === 0) this.onTopKey?.(JSON.parse(key) as string, start, this.pos);
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos += 1;
      if (next === '}') return;
      if (next !== ',') throw new SyntaxAt(this.pos - 1);
    }
  }

  private array(depth: number): void {
    this.pos += 1;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos += 1;
      if (next === ']') return;
      if (next !== ',') throw new SyntaxAt(this.pos - 1);
    }
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

/** Where the first JSON syntax error is, as "line L, column C" (undefined when the scanner finds none). */
export function jsonErrorPosition(text: string): string | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (error) {
    return error instanceof SyntaxAt ? lineColumn(text, error.offset) : undefined;
  }
}

/** Deeper than any file duet reads (SQuAD is 6 levels): recursive code on such values would overflow the stack. */
export const MAX_JSON_DEPTH = 256;

/** The deepest nesting of arrays and objects, outside strings (iterative, so no depth can overflow it). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Parses user JSON; empty, malformed or absurdly nested text is a UserError naming the file and the line/column. */
export function parseJsonText(text: string, path: string): unknown {
  if (text.trim().length === 0) throw new UserError(`${path}: file is empty, expected JSON`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const depth = jsonDepth(body);
  if (depth > MAX_JSON_DEPTH) throw new UserError(`${path}: JSON nested ${depth} levels deep, more than the ${MAX_JSON_DEPTH} duet reads`);
  try {
    return JSON.parse(body);
  } catch (error) {
    const where = jsonErrorPosition(body);
    const reason = (error as Error).message
      .replace(/\s+(?:in|after) JSON at position \d+.*$/s, '')
      .split(/,? "|\n/)[0]!
      .trim();
    throw new UserError(`${path}: not valid JSON${where ? ` at ${where}` : ''}: ${reason}`);
  }
}

/** Keys of a top-level JSON object in file order (first occurrence of a repeated key). Assumes valid JSON. */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  new Scanner(body, (key) => {
    if (!seen.has(key)) keys.push(key);
    seen.add(key);
  }).document();
  return keys;
}
