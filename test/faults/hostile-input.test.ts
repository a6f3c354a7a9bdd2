/**
 * Hostile or careless input never hangs duet, never exhausts its memory and always ends in
 * one line naming the file, field or flag: special files (devices, FIFOs, folders), huge
 * files, deeply nested JSON, YAML alias bombs, absurd repeat counts, zero durations,
 * durations and timeouts beyond what a timer can wait, and a context far larger than the
 * prompt budget (tokenised only as far as the budget needs).
 */
import { execa, execaSync } from 'execa';
import { closeSync, mkdtempSync, openSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundedTokens, createPromptBuilder } from '../../source/core/dataset/prompt.js';
import { loadSquad, parseSquad } from '../../source/core/dataset/squad.js';
import { loadLlama3Tokenizer, type TextTokenizer } from '../../source/core/dataset/tokenizer.js';
import { MAX_TIMER_MS, parseDuration, timerDelay } from '../../source/core/duration.js';
import { readUserFile } from '../../source/core/files/read.js';
import { loadProfile, parseProfile } from '../../source/core/profile/loader.js';
import { readSessionLog } from '../../source/core/session/reader.js';
import { userError } from './user-error.js';

const dir = mkdtempSync(join(tmpdir(), 'duet-hostile-'));
const squad = resolve('test/fixtures/squad/tiny-v2.0.json');
const duet = (args: string[]) => execa('node', ['bin/duet.js', ...args], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' } });


function fifo(name: string): string {
  const path = join(dir, name);
  execaSync('mkfifo', [path]);
  return path;
}

/** A sparse file of `bytes` (instant, takes no disk). */
function sparse(name: string, bytes: number): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

describe('special files are refused at once, in one line', () => {
  it('a device, a FIFO with no writer, a folder: as dataset, session log, profile and predictions', async () => {
    expect(await userError(() => loadSquad('/dev/zero'))).toBe('/dev/zero: is not a regular file (a character device), expected a dataset file');
    const pipe = fifo('data.fifo');
    expect(await userError(() => loadSquad(pipe))).toBe(`${pipe}: is not a regular file (a named pipe), expected a dataset file`);
    expect(await userError(() => readSessionLog(pipe))).toBe(`${pipe}: is not a regular file (a named pipe), expected a session log file`);
    expect(await userError(() => readSessionLog('/dev/zero'))).toMatch(/is not a regular file \(a character device\)/);
    expect(await userError(() => loadProfile(pipe))).toMatch(/data\.fifo: is not a regular file \(a named pipe\), expected a profile file$/);
    expect(await userError(() => loadSquad(dir))).toMatch(/is a folder, expected a SQuAD JSON file$/);
    const score = await duet(['score', squad, '/dev/zero']);
    expect(score.exitCode).toBe(1);
    expect(score.stderr.trim()).toBe('duet: /dev/zero: is not a regular file (a character device), expected a predictions file');
  }, 30_000);

  it('a file over the size limit is refused before it is read (a 600 MB dataset, a 2 MB profile)', async () => {
    const big = sparse('huge.json', 600 * 1024 * 1024);
    expect(await userError(() => loadSquad(big))).toBe(`${big}: the dataset is 600 MB, more than the 256 MB duet reads (SQuAD 2.0 train is 40 MB)`);
    const profile = sparse('huge.yaml', 2 * 1024 * 1024);
    expect(await userError(() => loadProfile(profile))).toBe(`${profile}: the profile is 2 MB, more than the 1 MB duet reads`);
    expect(await userError(() => readUserFile(sparse('700.json', 700 * 1024 * 1024), { what: 'predictions file' }))).toMatch(/the predictions file is 700 MB, more than the 500 MB duet reads$/);
  });
});

describe('malicious structure gets a clear line naming the file', () => {
  it('deeply nested predictions JSON', async () => {
    const path = join(dir, 'deep.json');
    writeFileSync(path, `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    const result = await duet(['score', squad, path]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toBe(`duet: ${path}: JSON nested 100000 levels deep, more than the 256 duet reads`);
  }, 30_000);

  it('a YAML alias bomb names the profile', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(', ')}]`);
    expect(await userError(() => parseProfile(lines.join('\n'), 'bomb.yaml'))).toMatch(/^bomb\.yaml: YAML cannot be loaded: Excessive alias count/);
  });

  it('repeat: 1e8 is refused naming workload.repeat, not "Invalid array length"', async () => {
    const profile = join(dir, 'repeat.yaml');
    writeFileSync(profile, `models:\n  - { label: a, backend: onnx, path: /nope/a }\n  - { label: b, backend: onnx, path: /nope/b }\nworkload: { dataset: ${squad}, repeat: 1e8 }\ntelemetry: { source: none }\n`);
    const questions = (await loadSquad(squad)).questions.length;
    const result = await duet(['run', '--headless', '--profile', profile, '--no-log']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `duet: ${profile}: workload.repeat: 100000000 passes over ${questions} questions make ${(questions * 1e8).toExponential(2)} questions, more than the 10,000,000 one run can list; lower it, or bound the run with --limit`,
    );
  }, 30_000);
});

describe('durations and timers', () => {
  const profileText = (workload: string, extra = '') =>
    `models:\n  - { label: a, backend: onnx, path: /m/a${extra} }\n  - { label: b, backend: onnx, path: /m/b }\nworkload: { dataset: squad.json${workload} }\n`;

  it('workload.duration: 0s is refused like --duration 0s', async () => {
    expect(await userError(() => parseProfile(profileText(', duration: 0s'), 'zero.yaml'))).toBe('zero.yaml: workload.duration: expected a positive duration like 30s or 5m, got "0s"');
    expect(await userError(() => parseProfile(profileText(''), 'zero.yaml', { duration: '0s' }))).toBe('--duration: expected a positive duration like 30s or 5m, got "0s"');
  });

  it('a duration or timeout longer than a timer can wait is refused where it is parsed', async () => {
    expect(await userError(() => parseDuration('600h', '--duration'))).toBe('--duration: at most 596h (2^31-1 ms, the longest a timer can wait), got "600h"');
    expect(parseDuration('596h', '--duration')).toBe(596 * 3_600_000);
    expect(await userError(() => parseProfile(profileText(', duration: 600h'), 'long.yaml'))).toMatch(/^long\.yaml: workload\.duration: at most 596h/);
    expect(await userError(() => parseProfile(profileText('', ', requestTimeoutMs: 3e9'), 't.yaml'))).toBe(
      `t.yaml: models[0].requestTimeoutMs: expected at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest a timer can wait), got 3000000000`,
    );
    expect(await userError(() => parseProfile(`${profileText('')}telemetry: { intervalMs: 3600000000000 }\n`, 'i.yaml'))).toMatch(/^i\.yaml: telemetry\.intervalMs: expected at most 2147483647 ms/);
  });

  it('a timer asked to wait longer waits the longest it can, never fires at once', async () => {
    expect(timerDelay(3e9)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Number.NaN)).toBe(0);
    expect(timerDelay(-5)).toBe(0);
    const { systemTimers } = await import('../../source/core/scheduler/timers.js');
    let fired = false;
    const handle = systemTimers.setTimeout(() => (fired = true), 3e9);
    await new Promise((r) => setTimeout(r, 50));
    systemTimers.clearTimeout(handle);
    expect(fired).toBe(false);
  });
});

describe('a huge context is tokenised only as far as the budget needs', () => {
  it('a 1 MB context: no encode call sees more than a bounded prefix, and the prompt is the one a short prefix gives', async () => {
    const real = await loadLlama3Tokenizer();
    let longest = 0;
    const counting: TextTokenizer = { ...real, encode: (text: string) => ((longest = Math.max(longest, text.length)), real.encode(text)), decode: (ids: number[]) => real.decode(ids) };
    const sentence = 'The Velmora lighthouse was first lit in 1851 by the harbour board. ';
    const huge = sentence.repeat(Math.ceil(1_000_000 / sentence.length));
    const dataset = (context: string) =>
      parseSquad(JSON.stringify({ version: 'v2.0', data: [{ title: 'T', paragraphs: [{ context, qas: [{ id: 'q1', question: 'When was it first lit?', answers: [{ text: '1851', answer_start: 40 }], is_impossible: false }] }] }] }), 'big.json');
    const big = dataset(huge);
    for (const mode of ['max', 'exact'] as const) {
      longest = 0;
      const build = createPromptBuilder({ tokenizer: counting, inputTokens: 512, mode });
      const prompt = build(big.questions[0]!, big);
      expect(longest, mode).toBeLessThanOrEqual(512 * 8 * 2);
      expect(prompt.contextTrimmed).toBe(true);
      expect(prompt.promptTokens).toBe(real.encode(prompt.promptText).length);
      if (mode === 'exact') expect(prompt.promptTokens).toBe(512);
      else expect(prompt.promptTokens).toBeLessThanOrEqual(512);
      const small = dataset(huge.slice(0, 20_000));
      expect(createPromptBuilder({ tokenizer: real, inputTokens: 512, mode })(small.questions[0]!, small).promptText, mode).toBe(prompt.promptText);
    }
  }, 60_000);

  it('boundedTokens keeps a short text whole and doubles the prefix for text with few tokens per character', async () => {
    const real = await loadLlama3Tokenizer();
    expect(boundedTokens(real, 'short text', 512)).toEqual({ text: 'short text', ids: real.encode('short text') });
    const spaces = `${' '.repeat(50_000)}end`;
    const bounded = boundedTokens(real, spaces, 32);
    expect(bounded.ids.length).toBeGreaterThan(32 + 16);
    expect(spaces.startsWith(bounded.text)).toBe(true);
    expect(bounded.text.length).toBeLessThan(spaces.length);
  });
});

describe('commands given too few arguments exit 2 like score does', () => {
  it('report, replay, compare', async () => {
    const results = await Promise.all([duet(['report']), duet(['replay']), duet(['compare', 'one.jsonl']), duet(['score', 'one.json'])]);
    for (const result of results) {
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  }, 60_000);
});
