import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseDuetBlock, configJson, writeSideFiles, type EndOfTurnBiasInfo } from './hf-files.js';
import { buildLlamaGraph, OPSET_VERSION } from './llama-graph.js';
import { writeOnnxModel } from './model-file.js';
import { demoModelFile, parameterCount, specialTokens, validateSpec, type DemoModelSpec } from './spec.js';
import { generateWeights } from './weights.js';

export interface DemoBuildProgress {
  /** 'weights' | 'write' | 'calibrate' | 'files' */
  stage: string;
  /** 0..1 within the stage. */
  fraction: number;
}

export interface WriteDemoModelOptions {
  onProgress?: (p: DemoBuildProgress) => void;
  /** Calibrate the end-of-turn bias (slow for full-size models; off by default). */
  calibrate?: boolean;
}

/** The fp32 model file (other dtypes: demoModelFile). */
export const MODEL_FILE = demoModelFile('fp32');

/**
 * Writes a complete Hugging Face style model folder (config.json, generation_config.json,
 * tokenizer files, onnx/model.onnx or onnx/model_q4.onnx) for a synthetic-weight Llama into `dir`.
 */
export async function writeDemoModel(dir: string, spec: DemoModelSpec, options: WriteDemoModelOptions = {}): Promise<void> {
  validateSpec(spec);
  const report = (stage: string, fraction: number): void => options.onProgress?.({ stage, fraction });
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const modelPath = join(dir, demoModelFile(spec.dtype));

  report('weights', 0);
  const weights = generateWeights(spec, (f) => report('weights', f));
  const write = async (): Promise<number> => {
    report('write', 0);
    return writeOnnxModel(modelPath, buildLlamaGraph(spec, weights, spec.dtype), {
      opsetVersion: OPSET_VERSION,
      producerVersion: '1',
      // fp32 keeps the doc string of the folders built before dtypes existed (same spec hash, same bytes).
      docString: `duet demo model ${spec.name}${spec.dtype ? ` (${spec.dtype})` : ''}: synthetic weights`,
      metadata: { synthetic: 'true', logits: 'last' },
      onProgress: (f) => report('write', f),
    });
  };
  let modelBytes = await write();

  const eot = specialTokens(spec).eot;
  let endOfTurnBias: EndOfTurnBiasInfo = { tokenId: eot, value: 0 };
  if (options.calibrate) {
    report('calibrate', 0);
    const { calibrateEndOfTurnBias } = await import('./calibrate.js');
    const { setting, info } = await calibrateEndOfTurnBias(modelPath, spec, (f) => report('calibrate', f));
    endOfTurnBias = info;
    weights.logitBias[eot] = setting.bias;
    weights.endOfTurnAfterToken[setting.promptEndToken] += setting.promptEndDelta;
    modelBytes = await write();
  }

  report('files', 0);
  await writeSideFiles(dir, spec);
  const duet = { ...baseDuetBlock(spec, parameterCount(spec)), modelBytes, endOfTurnBias };
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(configJson(spec, duet), null, 2)}\n`);
  report('files', 1);
}
