import type { DemoModelSpec } from './spec.js';
import type { EndOfTurnBiasInfo } from './hf-files.js';

export async function calibrateEndOfTurnBias(_modelPath: string, _spec: DemoModelSpec, _onProgress: (fraction: number) => void): Promise<EndOfTurnBiasInfo> {
  throw new Error('not yet');
}
