import { writeFile } from 'node:fs/promises';
import { decodeUtf8, loadSquad } from '../core/dataset/squad.js';
import { parseJsonText, topLevelKeys } from '../core/dataset/json-text.js';
import { UsageError, UserError } from '../core/errors.js';
import { readUserFile } from '../core/files/read.js';
import { terminalSafe } from '../core/text/sanitize.js';
import { evaluateSquad, type OfficialScores } from '../core/eval/squad-score.js';
import { defineCommand } from './command.js';

const help = `  Usage
    $ duet score <dataset.json> <predictions.json> [flags]

  Scores SQuAD 2.0 predictions ({"question id": "answer text", ...}) exactly as the official
  evaluate-v2.0.py does and prints its JSON (exact, f1, total, HasAns_*, NoAns_*, and with
  --na-prob also best_exact/best_f1 and their thresholds). Questions with no prediction are
  scored as the empty answer and listed on stderr (the official script stops on them).

  Flags
    --na-prob FILE          JSON of {"question id": probability that it is unanswerable}
    --na-prob-thresh X      treat a prediction as "no answer" when its probability is above X (default 1.0)
    --out FILE              also write the JSON to FILE

  Example
    $ duet score examples/squad-sample.json predictions.json --out scores.json
`;

async function readJsonFile(file: string, what: string): Promise<{ text: string; value: unknown }> {
  const bytes = await readUserFile(file, { what, notFound: `${what} file not found` });
  const text = decodeUtf8(bytes, file);
  return { text, value: parseJsonText(text, file) };
}

function asObject(value: unknown, file: string, expected: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${file}: expected a JSON object of ${expected}`);
  return value as Record<string, unknown>;
}

async function readPredictions(file: string): Promise<Record<string, string>> {
  const object = asObject((await readJsonFile(file, 'predictions')).value, file, '{"question id": "answer text"}');
  for (const [id, answer] of Object.entries(object)) {
    if (typeof answer !== 'string') throw new UserError(`${file}: "${id}": expected the answer text as a string, got ${JSON.stringify(answer)}`);
  }
  return object as Record<string, string>;
}

/** na-probs in file order (ties in the official threshold search are broken by it). */
async function readNaProbs(file: string): Promise<Map<string, number>> {
  const { text, value } = await readJsonFile(file, 'na-prob');
  const object = asObject(value, file, '{"question id": probability}');
  const probs = new Map<string, number>();
  for (const id of topLevelKeys(text)) {
    const prob = object[id];
    if (typeof prob !== 'number') throw new UserError(`${file}: "${id}": expected a number, got ${JSON.stringify(prob)}`);
    probs.set(id, prob);
  }
  return probs;
}

/** Python's repr of a float (what json.dumps prints): 100.0, 1e-05, 1e+16. */
export function pythonFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  const magnitude = Math.abs(value);
  if (value !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** json.dumps of the official output: indent=2 for the screen, compact (", " and ": ") for --out. */
export function formatOfficialJson(scores: OfficialScores, indent: boolean): string {
  const fields = Object.entries(scores).map(([key, value]) => `"${key}": ${key.endsWith('total') ? String(value) : pythonFloat(value as number)}`);
  return indent ? `{\n  ${fields.join(',\n  ')}\n}` : `{${fields.join(', ')}}`;
}

function listIds(ids: string[]): string {
  return ids.slice(0, 5).map((id) => terminalSafe(id)).join(', ') + (ids.length > 5 ? `, ... (${ids.length - 5} more)` : '');
}

export const command = defineCommand({
  name: 'score',
  summary: 'score SQuAD 2.0 predictions like the official evaluate-v2.0.py',
  help,
  flags: {
    naProb: { type: 'string' },
    naProbThresh: { type: 'number', default: 1.0 },
    out: { type: 'string' },
  },
  async run({ input, flags }) {
    if (input.length !== 2) throw new UsageError(`duet score: expected <dataset.json> <predictions.json>, got ${input.length} argument${input.length === 1 ? '' : 's'}; run duet score --help`);
    const [datasetFile, predictionsFile] = input as [string, string];
    if (!Number.isFinite(flags.naProbThresh)) throw new UsageError('duet score: --na-prob-thresh expects a number');
    const dataset = await loadSquad(datasetFile);
    const predictions = await readPredictions(predictionsFile);
    const naProbs = flags.naProb === undefined ? undefined : await readNaProbs(flags.naProb);
    let evaluation;
    try {
      evaluation = evaluateSquad(dataset, predictions, { naProbs, naProbThresh: flags.naProbThresh });
    } catch (error) {
      if (error instanceof UserError) throw new UserError(`${flags.naProb}: ${error.message}`);
      throw error;
    }
    const { scores, missing, unknown } = evaluation;
    if (missing.length > 0) {
      process.stderr.write(`duet score: ${missing.length} of ${scores.total} questions have no prediction (scored as empty): ${listIds(missing)}\n`);
    }
    if (unknown.length > 0) {
      process.stderr.write(`duet score: ${unknown.length} predictions are for ids not in ${datasetFile} (ignored): ${listIds(unknown)}\n`);
    }
    process.stdout.write(`${formatOfficialJson(scores, true)}\n`);
    if (flags.out !== undefined) {
      try {
        await writeFile(flags.out, formatOfficialJson(scores, false));
      } catch (error) {
        throw new UserError(`${flags.out}: cannot write the scores (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    return 0;
  },
});
