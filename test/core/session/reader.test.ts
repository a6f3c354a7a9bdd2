import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../source/core/errors.js';
import { parseSessionLog, readSessionLog } from '../../../source/core/session/reader.js';
import { fakeHeader, fakeRunEvents, toJsonl } from './fake-run.js';

const header = fakeHeader();
const events = fakeRunEvents({ questions: 12 });
const text = toJsonl(header, events);

function userErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('parseSessionLog', () => {
  it('reads a whole log: header, every event in order, complete, no warnings', () => {
    const log = parseSessionLog(text, 'a.jsonl');
    expect(log.header).toEqual(header);
    expect(log.events).toEqual(events);
    expect(log.warnings).toEqual([]);
    expect(log.complete).toBe(true);
  });

  it('a log cut at any byte offset keeps every event whose line was complete before the cut', () => {
    const bytes = Buffer.from(text, 'utf8');
    const headerEnd = Buffer.byteLength(`${JSON.stringify(header)}\n`);
    // Byte offset just past each event line's newline.
    const lineEnds: number[] = [];
    let offset = headerEnd;
    for (const event of events) lineEnds.push((offset += Buffer.byteLength(`${JSON.stringify(event)}\n`)));
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const cuts = [headerEnd, headerEnd + 1, bytes.length - 1, bytes.length - 2, ...Array.from({ length: 300 }, () => headerEnd + Math.floor(random() * (bytes.length - headerEnd)))];
    for (const cut of cuts) {
      // A cut may split a UTF-8 character: decode like a reader of the raw file would.
      const log = parseSessionLog(bytes.subarray(0, cut).toString('utf8'), 'cut.jsonl');
      const whole = lineEnds.filter((end) => end <= cut).length;
      // A cut right before a newline leaves a complete JSON line without its newline: it may count.
      expect(log.events.length === whole || log.events.length === whole + 1, `cut at ${cut}`).toBe(true);
      expect(log.events).toEqual(events.slice(0, log.events.length));
      expect(log.warnings.length).toBe(log.events.length === whole && cut !== lineEnds[whole - 1] && cut !== headerEnd ? 1 : 0);
      expect(log.complete).toBe(log.events.length === events.length);
    }
  });

  it('skips garbled middle lines with a warning naming the line', () => {
    const lines = text.split('\n');
    lines.splice(3, 0, '{"type":"query-finished","t":5,"rec');
    lines.splice(6, 0, 'not json at all');
    lines.splice(8, 0, '{"type":"no-such-event","t":1}');
    const log = parseSessionLog(lines.join('\n'), 'g.jsonl');
    expect(log.events).toEqual(events);
    expect(log.warnings).toEqual([
      'g.jsonl: line 4: skipped a line that is not a duet event',
      'g.jsonl: line 7: skipped a line that is not a duet event',
      'g.jsonl: line 9: skipped a line that is not a duet event',
    ]);
  });

  it('names a truncated last line as such and reports the log as interrupted', () => {
    const cut = text.slice(0, text.length - 20);
    const log = parseSessionLog(cut, 'k.jsonl');
    expect(log.complete).toBe(false);
    expect(log.warnings).toEqual([`k.jsonl: line ${events.length + 1}: skipped a truncated last line (the run was probably killed)`]);
  });

  it('rejects an empty file, a non-duet first line and an unknown schema with one line', () => {
    expect(userErrorOf(() => parseSessionLog('', 'e.jsonl'))).toBe('e.jsonl: empty file, not a duet session log');
    expect(userErrorOf(() => parseSessionLog('\n\n', 'e.jsonl'))).toBe('e.jsonl: empty file, not a duet session log');
    expect(userErrorOf(() => parseSessionLog('id,question\n1,what\n', 'data.csv'))).toBe('data.csv: not a duet session log (the first line is not JSON)');
    expect(userErrorOf(() => parseSessionLog(`${JSON.stringify(events[0])}\n`, 'h.jsonl'))).toBe('h.jsonl: not a duet session log (the first line has no "kind": "duet-session" header)');
    expect(userErrorOf(() => parseSessionLog(`${JSON.stringify({ ...header, schema: 2 })}\n`, 's.jsonl'))).toBe('s.jsonl: session log schema 2 is not supported (this duet reads schema 1)');
  });

  it('a header alone is a readable, empty, incomplete log', () => {
    const log = parseSessionLog(`${JSON.stringify(header)}\n`, 'h.jsonl');
    expect([log.events, log.warnings, log.complete]).toEqual([[], [], false]);
  });
});

describe('readSessionLog', () => {
  it('reads a file and turns a missing one into a UserError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duet-reader-'));
    const path = join(dir, 'run.jsonl');
    await writeFile(path, text);
    expect((await readSessionLog(path)).events).toHaveLength(events.length);
    await expect(readSessionLog(join(dir, 'missing.jsonl'))).rejects.toThrow(new UserError(`${join(dir, 'missing.jsonl')}: no such session log`));
    await expect(readSessionLog(dir)).rejects.toThrow(/is a directory/);
  });
});
