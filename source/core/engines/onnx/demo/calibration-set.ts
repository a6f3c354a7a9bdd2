import { fileURLToPath } from 'node:url';
import { createPromptBuilder } from '../../../dataset/prompt.js';
import { loadSquad } from '../../../dataset/squad.js';
import { loadLlama3Tokenizer } from '../../../dataset/tokenizer.js';

/** duet's bundled sample (ours, not SQuAD's): the prompts the demo models really receive. */
export const SAMPLE_DATASET = fileURLToPath(new URL('../../../../../examples/squad-sample.json', import.meta.url));
export const CALIBRATION_INPUT_TOKENS = 512;

export interface SamplePromptSplit {
  /** Questions of the odd-numbered articles: the bias is fitted on these. */
  calibration: number[][];
  /** Questions of the even-numbered articles: unseen contexts, for checking. */
  heldOut: number[][];
  datasetSha256: string;
}

/**
 * Prompt ids exactly as `duet run` builds them (max mode, 512-token budget), split by article
 * so that held-out prompts have contexts the calibration never saw. Ids are folded into
 * `vocabSize` so that small test vocabularies can run the real prompts.
 */
export async function samplePromptSplit(vocabSize: number, path = SAMPLE_DATASET): Promise<SamplePromptSplit> {
  const [dataset, tokenizer] = await Promise.all([loadSquad(path), loadLlama3Tokenizer()]);
  const build = createPromptBuilder({ tokenizer, inputTokens: CALIBRATION_INPUT_TOKENS, mode: 'max' });
  const split: SamplePromptSplit = { calibration: [], heldOut: [], datasetSha256: dataset.hash };
  for (const question of dataset.questions) {
    const ids = build(question, dataset).promptIds.map((id) => id % vocabSize);
    (question.articleIndex % 2 === 1 ? split.calibration : split.heldOut).push(ids);
  }
  return split;
}
