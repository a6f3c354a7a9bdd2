/**
 * Session log reader: the inverse of writer.ts (see its header comment for the format).
 * A log cut anywhere stays readable: a partial or garbled line is skipped with a warning
 * naming its line number, and the events before it are all kept. Only the header line is
 * strict, because without it nothing else can be interpreted.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { errorMessage, UserError } from '../errors.js';
import type { RunEvent, RunEventType } from '../events.js';
import { regularFileStats } from '../files/read.js';
import { isWellFormedEvent } from './event-check.js';
import type { SessionHeader } from './header.js';

export const SCHEMA_VERSION = 1;

export interface SessionLogData {
  path: string;
  header: SessionHeader;
  /** Every readable event, in file order. */
  events: RunEvent[];
  /** One line per skipped line (truncated or garbled), and one when the file holds several runs. */
  warnings: string[];
  /** True when the log ends with run-end (the run was not interrupted). */
  complete: boolean;
}

/** Every RunEvent type, once: a type added to the union and not here is a compile error, not a line silently skipped. */
const KNOWN_EVENTS: Record<RunEventType, true> = {
  'run-start': true, 'query-issued': true, 'first-token': true, 'query-finished': true, 'query-failed': true, 'engine-load': true,
  telemetry: true, 'telemetry-status': true, 'server-metrics': true, measuring: true, 'policy-switch': true, 'load-change': true,
  'weight-change': true, pause: true, save: true, server: true, warning: true, 'run-end': true,
};
const EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(KNOWN_EVENTS));

/**
 * Reads a log streamed line by line (a long run's log may be larger than one JavaScript
 * string can hold). Only regular files: a FIFO or a device is refused before it is opened.
 */
export async function readSessionLog(path: string): Promise<SessionLogData> {
  await regularFileStats(path, { what: 'session log', maxBytes: Number.MAX_SAFE_INTEGER, notFound: 'no such session log', folder: 'is a directory, expected a session log (.jsonl)' });
  const reader = new LogLines(path);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
      const text = rest + decoder.write(chunk as Buffer);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        reader.line(text.slice(start, end), true);
        start = end + 1;
      }
      rest = text.slice(start);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${path}: cannot read the session log (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
  rest += decoder.end();
  if (rest !== '') reader.line(rest, false);
  return reader.result();
}

/** Parses a whole log's text; `path` only names the file in messages. */
export function parseSessionLog(text: string, path: string): SessionLogData {
  const reader = new LogLines(path);
  const lines = text.split('\n');
  const last = lines.pop()!;
  for (const line of lines) reader.line(line, true);
  if (last !== '') reader.line(last, false);
  return reader.result();
}

/**
 * Line-by-line state of one file. A header line in the middle starts another run (a log
 * written with --append-log, or files concatenated): the last run is the one read, and a
 * warning says so, so that one run's records are never relabelled as another's.
 */
class LogLines {
  private lineNo = 0;
  private header?: SessionHeader;
  private events: RunEvent[] = [];
  private warnings: string[] = [];
  private runs = 0;
  private runLine = 1;

  constructor(private readonly path: string) {}

  line(raw: string, terminated: boolean): void {
    this.lineNo++;
    // A UTF-8 byte order mark (some editors add one) is not part of the JSON.
    const line = this.lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (this.header === undefined) {
      if (line.trim() === '') throw new UserError(`${this.path}: empty file, not a duet session log`);
      this.header = parseHeader(line, this.path);
      this.runs = 1;
      return;
    }
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (isObject(value) && value.kind === 'duet-session') {
      this.header = parseHeader(line, `${this.path}: line ${this.lineNo}`);
      this.events = [];
      this.warnings = [];
      this.runs++;
      this.runLine = this.lineNo;
      return;
    }
    if (value !== undefined && isWellFormedEvent(value, EVENT_TYPES)) {
      this.events.push(value as RunEvent);
      return;
    }
    this.warnings.push(
      !terminated
        ? `${this.path}: line ${this.lineNo}: skipped a truncated last line (the run was probably killed)`
        : incompleteType(value) !== undefined
          ? `${this.path}: line ${this.lineNo}: skipped an incomplete ${JSON.stringify(incompleteType(value))} event (a field it needs is missing or of the wrong type)`
          : `${this.path}: line ${this.lineNo}: skipped a line that is not a duet event`,
    );
  }

  result(): SessionLogData {
    if (this.header === undefined) throw new UserError(`${this.path}: empty file, not a duet session log`);
    const warnings = [...this.warnings];
    if (this.runs > 1) {
      warnings.unshift(`${this.path}: holds ${this.runs} runs (appended to one file); reading the last one, from line ${this.runLine}; split the file at its header lines to read the others`);
    }
    const events = this.events;
    const complete = events.length > 0 && events[events.length - 1]!.type === 'run-end';
    return { path: this.path, header: this.header, events, warnings, complete };
  }
}

/** The type of a known event that failed its shape check. */
function incompleteType(value: unknown): string | undefined {
  return isObject(value) && typeof value.type === 'string' && EVENT_TYPES.has(value.type) ? value.type : undefined;
}

function parseHeader(line: string, path: string): SessionHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new UserError(`${path}: not a duet session log (the first line is not JSON)`);
  }
  if (!isObject(value) || value.kind !== 'duet-session') {
    throw new UserError(`${path}: not a duet session log (the first line has no "kind": "duet-session" header)`);
  }
  if (value.schema !== SCHEMA_VERSION) {
    throw new UserError(`${path}: session log schema ${JSON.stringify(value.schema)} is not supported (this duet reads schema ${SCHEMA_VERSION})`);
  }
  if (!isObject(value.models) || !isObject(value.models.A) || !isObject(value.models.B) || typeof value.wallStart !== 'string') {
    throw new UserError(`${path}: the session log header lacks models A/B or wallStart`);
  }
  return value as unknown as SessionHeader;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
