/**
 * What `duet score` does, as its own process so it can be timed like the official script:
 * load the dataset and predictions, score, print the official JSON. Prints its own work
 * time (ms, without process start) on stderr.
 *
 *   tsx bench/lib/score-child.ts DATA.json PRED.json
 */
import { readFile } from 'node:fs/promises';
import { loadSquad } from '../../source/core/dataset/squad.js';
import { evaluateSquad } from '../../source/core/eval/squad-score.js';

const [dataPath, predPath] = process.argv.slice(2);
if (!dataPath || !predPath) {
  console.error('usage: score-child.ts DATA.json PRED.json');
  process.exit(2);
}
const start = performance.now();
const dataset = await loadSquad(dataPath);
const predictions = JSON.parse(await readFile(predPath, 'utf8')) as Record<string, string>;
const { scores } = evaluateSquad(dataset, predictions);
const ms = performance.now() - start;
console.log(JSON.stringify(scores));
console.error(`work-ms ${ms.toFixed(1)}`);
