import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, int } from '../../../../source/core/engines/onnx/demo/graph-builder.js';
import { encodeOnnxModel } from '../../../../source/core/engines/onnx/demo/model-file.js';
import { DataType } from '../../../../source/core/engines/onnx/demo/onnx-proto.js';
import { fileNamesOp, RIGHT_PADDED_ATTENTION_OPS } from '../../../../source/core/engines/onnx/graph-ops.js';
import { OnnxGenerator } from '../../../../source/core/engines/onnx/generator.js';
import { prompt, removeModel, writeTinyModel } from './tiny-model.js';

describe('graphs whose attention assumes right padding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duet-graph-ops-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function writeGraph(name: string, opType: string, domain: string): string {
    const g = new GraphBuilder();
    const x = g.input({ name: 'x', elemType: DataType.FLOAT, shape: [1, 8] });
    g.op(opType, [x], opType === 'Softmax' ? { axis: int(-1) } : {}, { output: 'y', domain });
    g.output({ name: 'y', elemType: DataType.FLOAT, shape: [1, 8] });
    const path = join(dir, name);
    writeFileSync(path, encodeOnnxModel(g, { opsetVersion: 17, producerVersion: '1' }));
    return path;
  }

  it('finds GroupQueryAttention in a graph, also across read chunks, and not in a standard-op graph', async () => {
    const gqa = writeGraph('gqa.onnx', 'GroupQueryAttention', 'com.microsoft');
    const plain = writeGraph('plain.onnx', 'Softmax', '');
    expect(await fileNamesOp(gqa, RIGHT_PADDED_ATTENTION_OPS)).toBe(true);
    for (const chunk of [1, 5, 7, 19]) expect(await fileNamesOp(gqa, RIGHT_PADDED_ATTENTION_OPS, chunk)).toBe(true);
    expect(await fileNamesOp(plain, RIGHT_PADDED_ATTENTION_OPS, 7)).toBe(false);
  });

  describe('a model flagged one row at a time', () => {
    let modelDir: string;
    let generator: OnnxGenerator;
    beforeAll(async () => {
      modelDir = await writeTinyModel();
      generator = await OnnxGenerator.load(modelDir, { intraOpThreads: 1 });
      expect(generator.model.oneRowAtATime).toBe(false); // the demo graph's attention is standard ops
      (generator.model as { oneRowAtATime: boolean }).oneRowAtATime = true;
    });
    afterAll(async () => {
      await generator?.release();
      await removeModel(modelDir);
    });

    it('the batcher runs its requests one at a time, and a static batch is refused with the reason', async () => {
      const batcher = generator.batcher({ maxBatch: 8, maxWaitMs: 5 });
      const results = await Promise.all([1, 2, 3].map((i) => batcher.submit({ id: `r${i}`, promptIds: prompt(4 + i, i), maxNewTokens: 3, ignoreStop: true })));
      expect(results.map((r) => r.batchSize)).toEqual([1, 1, 1]);
      await expect(generator.generateBatch([prompt(3, 1), prompt(5, 2)])).rejects.toThrow(/assumes right padding/);
    });
  });
});
