/**
 * Bad input ends in one clear line naming the thing and what was expected, before any
 * work starts; a question that cannot fit the prompt budget is counted as one error
 * mid-run and the run goes on. Exercised through the pure functions (fast); the CLI
 * path (one line, exit code, no stack) is in cli.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProfileRules } from '../../source/core/doctor/checks.js';
import { parseProfileFile } from '../../source/core/doctor/probes.js';
import { createPromptBuilder } from '../../source/core/dataset/prompt.js';
import { loadSquad, parseSquad } from '../../source/core/dataset/squad.js';
import { loadLlama3Tokenizer } from '../../source/core/dataset/tokenizer.js';
import type { UserError } from '../../source/core/errors.js';
import { profileSchema } from '../../source/core/profile/schema.js';
import { parseRunFlags } from '../../source/core/run/flags.js';
import { goldEngine, makeProfile, startHarness } from '../core/run/harness.js';
import { accountFor } from './accounting.js';
import { userError } from './user-error.js';

const dir = mkdtempSync(join(tmpdir(), 'duet-faults-input-'));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}


const squad2 = (qas: unknown[]) => JSON.stringify({ version: 'v2.0', data: [{ title: 'T', paragraphs: [{ context: 'The Normans lived in Normandy.', qas }] }] });
const qa = (id: string, question = 'Where?') => ({ id, question, answers: [{ text: 'Normandy', answer_start: 21 }], is_impossible: false });

describe('bad datasets stop before any work, in one line naming the file', () => {
  it('missing, empty, not JSON, not UTF-8, duplicate ids, wrong shape', async () => {
    expect(await userError(() => loadSquad(join(dir, 'nope.json')))).toBe(`${join(dir, 'nope.json')}: dataset file not found`);
    expect(await userError(() => loadSquad(file('empty.json', '')))).toMatch(/empty\.json: file is empty, expected JSON$/);
    expect(await userError(() => loadSquad(file('broken.json', '{"data": [')))).toMatch(/broken\.json: not valid JSON at /);
    // "Normandie" in Latin-1: é is the lone byte 0xE9.
    const latin1 = Buffer.concat([Buffer.from(squad2([qa('a')]).replace('Normandy.', 'Normandie ')), Buffer.from([0xe9])]);
    expect(await userError(() => loadSquad(file('latin1.json', latin1)))).toMatch(/latin1\.json: not valid UTF-8 text/);
    expect(await userError(() => loadSquad(file('dup.json', squad2([qa('a'), qa('a')]))))).toMatch(/dup\.json: data\[0\]\.paragraphs\[0\]\.qas\[1\]\.id: duplicate id "a"/);
    expect(await userError(() => loadSquad(file('list.json', '[1, 2]')))).toMatch(/list\.json: \(root\): expected an object, got an array/);
    expect(await userError(() => loadSquad(file('noqs.json', squad2([]))))).toMatch(/noqs\.json: data: no questions found/);
    expect(await userError(() => loadSquad(dir))).toMatch(/is a folder, expected a SQuAD JSON file/);
  });

  it('accepts the SQuAD 1.1 shape (no is_impossible): every question answerable', () => {
    const v11 = JSON.stringify({ version: '1.1', data: [{ title: 'T', paragraphs: [{ context: 'c', qas: [{ id: 'x', question: 'q?', answers: [{ text: 'c', answer_start: 0 }] }] }] }] });
    const dataset = parseSquad(v11, 'v11.json');
    expect(dataset.questions).toMatchObject([{ id: 'x', isImpossible: false, answers: ['c'] }]);
  });

  it('a question longer than the whole 512-token budget is one counted error; the rest of the run goes on', async () => {
    const tokenizer = await loadLlama3Tokenizer();
    const long = 'why '.repeat(600).trim() + '?';
    const dataset = parseSquad(squad2([qa('short-1'), qa('too-long', long), qa('short-2')]), 'long.json');
    const build = createPromptBuilder({ tokenizer, inputTokens: 512, mode: 'max' });
    expect(await userError(() => build(dataset.questions[1]!, dataset))).toMatch(/^question too-long: the prompt without context takes \d+ tokens, more than the input budget of 512$/);
    const h = await startHarness({
      profile: makeProfile({ workload: { load: { mode: 'closed', concurrency: 1 } } }),
      engines: { A: goldEngine(undefined, 'small'), B: goldEngine(undefined, 'large') },
      questions: dataset.questions,
      extra: { buildPrompt: (q) => build(q as (typeof dataset.questions)[number], dataset) },
    });
    await h.time.advance(1000);
    const outcome = await h.run.finished;
    expect(outcome.reason).toBe('finished');
    const failed = h.events.filter((e) => e.type === 'query-failed');
    expect(failed.map((e) => e.type === 'query-failed' && [e.record.questionId, e.record.error?.split(':')[0]])).toEqual([['too-long', 'prompt']]);
    expect(h.events.filter((e) => e.type === 'query-finished')).toHaveLength(2);
    expect(accountFor(h.events).problems).toEqual([]);
  }, 30_000);
});

describe('bad profiles stop before any work, naming the key', () => {
  const models = [
    { label: 'small', backend: 'onnx', path: 'models/demo-small' },
    { label: 'large', backend: 'onnx', path: 'models/demo-large' },
  ];
  const base = { models, workload: { dataset: 'squad.json' } };
  const problem = (data: unknown) => {
    const parsed = profileSchema.safeParse(data);
    if (parsed.success) return 'accepted';
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.')}: ${issue.message}`;
  };

  it('unknown keys, wrong types, unknown policy, rate <= 0, concurrency 0 are refused by the schema', () => {
    expect(problem({ ...base, workload: { dataset: 'x', concurency: 2 } })).toMatch(/^workload: .*key/i);
    expect(problem({ ...base, models: [{ ...models[0], lable: 'x' }, models[1]] })).toMatch(/^models\.0: .*key/i);
    expect(problem({ ...base, workload: { dataset: 'x', limit: 'ten' } })).toBe('workload.limit: expected a positive integer');
    expect(problem({ ...base, scheduler: { policy: 'fastest' } })).toMatch(/^scheduler\.policy: /);
    expect(problem({ ...base, workload: { dataset: 'x', load: { mode: 'open', rate: 0 } } })).toBe('workload.load.rate: expected a positive number');
    expect(problem({ ...base, workload: { dataset: 'x', load: { mode: 'open', rate: -2 } } })).toBe('workload.load.rate: expected a positive number');
    expect(problem({ ...base, workload: { dataset: 'x', load: { mode: 'closed', concurrency: 0 } } })).toBe('workload.load.concurrency: expected a positive integer');
    expect(problem({ ...base, models: [models[0]] })).toMatch(/^models/);
    expect(problem(base)).toBe('accepted');
  });

  it('a profile file with such a mistake is one line naming the file and the key', async () => {
    const path = file('bad.yaml', 'models:\n  - { label: a, backend: onnx, path: a }\n  - { label: b, backend: onnx, path: b }\nworkload: { dataset: x.json, load: { mode: closed, concurrency: 0 } }\n');
    expect(await userError(() => parseProfileFile(path))).toBe(`${path}: workload.load.concurrency: expected a positive integer`);
    expect(await userError(() => parseProfileFile(file('tabs.yaml', 'models: [\n')))).toMatch(/tabs\.yaml: not valid YAML/);
  });

  it('cross-field mistakes: an onnx model without path, both launched servers on one port', () => {
    const launch = { command: 'node', readyUrl: 'http://127.0.0.1:8001/health' };
    const profile = profileSchema.parse({
      models: [
        { label: 'a', backend: 'openai', url: 'http://127.0.0.1:8001/v1', launch },
        { label: 'b', backend: 'openai', url: 'http://127.0.0.1:8001/v1', launch },
      ],
      workload: { dataset: 'x' },
    });
    expect(checkProfileRules({ ...profile, path: 'p.yaml' }).map((r) => r.detail)).toEqual(['p.yaml: both models launch a server on port 8001']);
    const noPath = profileSchema.parse({ models: [{ label: 'a', backend: 'onnx' }, models[1]], workload: { dataset: 'x' } });
    expect(checkProfileRules({ ...noPath, path: 'p.yaml' }).map((r) => r.detail)).toEqual(['p.yaml: models[0] (A, a): backend onnx needs path (a model folder)']);
  });
});

describe('bad flags are one usage line (exit 2) naming the flag', () => {
  const usage = (raw: Parameters<typeof parseRunFlags>[0]) => {
    try {
      parseRunFlags(raw);
      return 'accepted';
    } catch (error) {
      expect((error as UserError).exitCode).toBe(2);
      return (error as Error).message;
    }
  };

  it('malformed durations and numbers', () => {
    for (const duration of ['5 minutes', '-3s', '0s', 'soon', '']) expect(usage({ duration })).toMatch(/^--duration: /);
    for (const concurrency of ['0', '-1', '2.5', 'lots', '1e3', '']) expect(usage({ concurrency })).toMatch(/^--concurrency: expected a positive whole number/);
    for (const rate of ['0', '-1', 'fast', 'NaN', 'Infinity']) expect(usage({ rate })).toMatch(/^--rate: expected a positive number/);
    expect(usage({ limit: '10k' })).toMatch(/^--limit: /);
    expect(usage({ seed: '1.5' })).toMatch(/^--seed: expected a whole number/);
    expect(usage({ warmup: '-1' })).toMatch(/^--warmup: /);
    expect(usage({ policy: 'fastest' })).toMatch(/^--policy: expected one of round-robin/);
    expect(usage({ concurrency: '2', rate: '3' })).toMatch(/choose one/);
    expect(usage({ duration: '90s', rate: '2.5', seed: '-4' })).toBe('accepted');
  });
});
