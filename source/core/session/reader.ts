/**
 * Session log reader: the inverse of writer.ts (see its header comment for the format).
 * A log cut anywhere stays readable: a partial or garbled line is skipped with a warning
 * naming its line number, and the events before it are all kept. Only the header line is
 * strict, because without it nothing else can be interpreted.
 */
import { readFile } from 'node:fs/promises';
import { errorMessage, UserError } from '../errors.js';
import type { RunEvent, RunEventType } from '../events.js';
import type { SessionHeader } from './header.js';

export const SCHEMA_VERSION = 1;

export interface SessionLogData {
  path: string;
  header: SessionHeader;
  /** Every readable event, in file order. */
  events: RunEvent[];
  /** One line per skipped line (truncated or garbled). */
  warnings: string[];
  /** True when the log ends with run-end (the run was not interrupted). */
  complete: boolean;
}

const EVENT_TYPES: ReadonlySet<RunEventType> = new Set<RunEventType>([
  'run-start', 'query-issued', 'query-started', 'first-token', 'query-finished', 'query-failed', 'engine-load',
  'telemetry', 'telemetry-status', 'policy-switch', 'load-change', 'weight-change', 'pause', 'save', 'server', 'warning', 'run-end',
]);

export async function readSessionLog(path: string): Promise<SessionLogData> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: no such session log`);
    if (code === 'EISDIR') throw new UserError(`${path}: is a directory, expected a session log (.jsonl)`);
    throw new UserError(`${path}: cannot read the session log (${errorMessage(error)})`);
  }
  return parseSessionLog(text, path);
}

/** Parses a whole log's text; `path` only names the file in messages. */
export function parseSessionLog(text: string, path: string): SessionLogData {
  const lines = text.split('\n');
  // A trailing newline leaves one empty string behind; it is not a line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0 || lines[0]!.trim() === '') throw new UserError(`${path}: empty file, not a duet session log`);
  const header = parseHeader(lines[0]!, path);
  const events: RunEvent[] = [];
  const warnings: string[] = [];
  const endsWithNewline = text.endsWith('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const event = parseEvent(line);
    if (event) {
      events.push(event);
      continue;
    }
    const last = i === lines.length - 1 && !endsWithNewline;
    warnings.push(last ? `${path}: line ${i + 1}: skipped a truncated last line (the run was probably killed)` : `${path}: line ${i + 1}: skipped a line that is not a duet event`);
  }
  const complete = events.length > 0 && events[events.length - 1]!.type === 'run-end';
  return { path, header, events, warnings, complete };
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

/** One event line, or undefined when it is not JSON or not a known event with a numeric t. */
function parseEvent(line: string): RunEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.type !== 'string' || !EVENT_TYPES.has(value.type as RunEventType)) return undefined;
  if (typeof value.t !== 'number' || !Number.isFinite(value.t)) return undefined;
  if ((value.type === 'query-finished' || value.type === 'query-failed') && !(isObject(value.record) && (value.record.model === 'A' || value.record.model === 'B'))) return undefined;
  if (value.type === 'run-start' && !isObject(value.models)) return undefined;
  if (value.type === 'telemetry' && !isObject(value.sample)) return undefined;
  return value as unknown as RunEvent;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
