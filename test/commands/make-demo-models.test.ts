import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = new URL('../../', import.meta.url).pathname;
const cli = join(repo, 'bin/duet.js');
const out = mkdtempSync(join(tmpdir(), 'duet-make-demo-'));

function duet(args: string[]) {
  return execa(process.execPath, [cli, ...args], { cwd: repo, reject: false, timeout: 60_000 });
}

describe('duet make-demo-models --dtype', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('rejects an unknown dtype with one line and exit 2, before writing anything', async () => {
    const result = await duet(['make-demo-models', '--out', out, '--dtype', 'q8']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('duet: --dtype q8: expected one of fp32, fp16, q4, q4f16');
    expect(readdirSync(out)).toEqual([]);
  });

  it('documents every dtype and its onnx-community file name in --help', async () => {
    const result = await duet(['make-demo-models', '--help']);
    expect(result.exitCode).toBe(0);
    for (const file of ['onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_q4.onnx', 'onnx/model_q4f16.onnx']) expect(result.stdout).toContain(file);
  });
});
