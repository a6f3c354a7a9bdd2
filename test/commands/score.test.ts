import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatOfficialJson, pythonFloat } from '../../source/commands/score.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'duet-score-'));
const run = promisify(execFile);

async function duet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'bin/duet.js'), 'score', ...args], { cwd: tmp });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('score output format (Python json.dumps)', () => {
  it('prints floats as Python does', () => {
    expect(pythonFloat(100)).toBe('100.0');
    expect(pythonFloat(0)).toBe('0.0');
    expect(pythonFloat(78.74168280973637)).toBe('78.74168280973637');
    expect(pythonFloat(0.00001)).toBe('1e-05');
    expect(pythonFloat(1.5e16)).toBe('1.5e+16');
    expect(formatOfficialJson({ exact: 50, f1: 62.5, total: 4 }, false)).toBe('{"exact": 50.0, "f1": 62.5, "total": 4}');
    expect(formatOfficialJson({ exact: 50, f1: 62.5, total: 4 }, true)).toBe('{\n  "exact": 50.0,\n  "f1": 62.5,\n  "total": 4\n}');
  });
});

describe('duet score', () => {
  it('prints the official JSON, writes --out and lists missing and unknown ids', async () => {
    const qa = (id: string, answers: string[]) => ({ id, question: `${id}?`, answers: answers.map((text) => ({ text, answer_start: 0 })), is_impossible: answers.length === 0 });
    writeFileSync(
      path.join(tmp, 'data.json'),
      JSON.stringify({ version: 'v2.0', data: [{ title: 'T', paragraphs: [{ context: 'c', qas: [qa('q1', ['Denver Broncos']), qa('q2', ['two words']), qa('q3', [])] }] }] }),
    );
    writeFileSync(path.join(tmp, 'pred.json'), JSON.stringify({ q1: 'the Denver Broncos.', q2: 'words', stray: 'x' }));
    writeFileSync(path.join(tmp, 'na.json'), '{"q2": 0.9, "q1": 0.1}');
    const result = await duet('data.json', 'pred.json', '--na-prob', 'na.json', '--na-prob-thresh', '0.5', '--out', 'scores.json');
    expect(result.stderr).toBe(
      'duet score: 1 of 3 questions have no prediction (scored as empty): q3\n' + 'duet score: 1 predictions are for ids not in data.json (ignored): stray\n',
    );
    expect(result.code).toBe(0);
    // q1 em 1 f1 1; q2 (f1 2/3 raw) is blanked by na 0.9 > 0.5 -> 0; q3 '' -> 1
    // best: start 1 (one NoAns), q1 .1 +1 -> 2, q2 .9 +2/3 (f1) or +0 (exact), q3 na 0 sorted last (appended) +0
    const expected = {
      exact: 200 / 3,
      f1: 200 / 3,
      total: 3,
      HasAns_exact: 50,
      HasAns_f1: 50,
      HasAns_total: 2,
      NoAns_exact: 100,
      NoAns_f1: 100,
      NoAns_total: 1,
      best_exact: 200 / 3,
      best_exact_thresh: 0.1,
      best_f1: (100 * (2 + 2 / 3)) / 3,
      best_f1_thresh: 0.9,
    };
    expect(JSON.parse(result.stdout)).toEqual(expected);
    expect(readFileSync(path.join(tmp, 'scores.json'), 'utf8')).toMatch(/^\{"exact": 66\.6666666666666\d+, "f1": /);
    expect(JSON.parse(readFileSync(path.join(tmp, 'scores.json'), 'utf8'))).toEqual(expected);
  });

  it('reports a bad predictions file in one line with exit code 1', async () => {
    writeFileSync(path.join(tmp, 'bad.json'), '{"q1": "a",\n "q2": }');
    const result = await duet(path.join(repoRoot, 'examples/squad-sample.json'), 'bad.json');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^duet: bad\.json: not valid JSON at line 2, column 8: [^\n]+\n$/);
  });
});
