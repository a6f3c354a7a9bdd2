/**
 * Bad input through the real CLI: one line on stderr, no stack trace, the right exit code,
 * and no work started (no session log written). A few spawns only: each costs seconds.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'duet-cli-faults-'));
const log = join(dir, 'never.jsonl');

function profile(name: string, workload: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `models:\n  - { label: a, backend: onnx, path: ${resolve('models/demo-small')} }\n  - { label: b, backend: onnx, path: ${resolve('models/demo-large')} }\nworkload: ${workload}\ntelemetry: { source: none }\n`);
  return path;
}

const duet = (args: string[]) => execa('node', ['bin/duet.js', ...args], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' } });

describe('bad input through duet run', () => {
  it('each mistake is one stderr line with the right exit code, before any work', async () => {
    const cases = [
      { args: ['run', '--headless', '--concurency', '3'], code: 2, line: /^duet: run: unknown flag --concurency \(did you mean --concurrency\?\); run duet run --help for the list$/ },
      { args: ['run', '--headless', '--duration', '5 minutes'], code: 2, line: /^duet: --duration: .*5 minutes/ },
      { args: ['run', '--headless', '--rate', '-2'], code: 2, line: /^duet: --rate: expected a positive number/ },
      { args: ['run', '--headless', '--profile', profile('nodata', `{ dataset: ${join(dir, 'missing.json')} }`)], code: 1, line: /^duet: .*missing\.json: dataset file not found$/ },
      { args: ['run', '--headless', '--profile', profile('typo', '{ dataset: x.json, concurency: 3 }')], code: 1, line: /^duet: .*typo\.yaml: workload.*concurency/ },
      { args: ['run', '--headless', '--profile', profile('zero', '{ dataset: x.json, load: { mode: closed, concurrency: 0 } }')], code: 1, line: /^duet: .*zero\.yaml: workload\.load\.concurrency: expected a positive integer/ },
    ];
    const results = await Promise.all(cases.map((c) => duet([...c.args, '--log', log])));
    results.forEach((result, i) => {
      const c = cases[i]!;
      const where = c.args.join(' ');
      expect(result.exitCode, where).toBe(c.code);
      expect(result.stderr.trimEnd().split('\n'), where).toHaveLength(1);
      expect(result.stderr.trimEnd(), where).toMatch(c.line);
      expect(result.stdout, where).toBe('');
    });
    expect(existsSync(log)).toBe(false);
  }, 90_000);
});
