import { UserError } from '../errors.js';
import type { SquadDataset } from '../dataset/squad.js';
import { answerTokens, normalizeAnswer } from './normalize.js';

export { normalizeAnswer } from './normalize.js';

/**
 * The official evaluate-v2.0.py output, keys in its order. Percentages (0-100).
 * HasAns_* / NoAns_* appear only when that subset is non-empty; best_* only with na-probs.
 */
export interface OfficialScores {
  exact: number;
  f1: number;
  total: number;
  HasAns_exact?: number;
  HasAns_f1?: number;
  HasAns_total?: number;
  NoAns_exact?: number;
  NoAns_f1?: number;
  NoAns_total?: number;
  best_exact?: number;
  best_exact_thresh?: number;
  best_f1?: number;
  best_f1_thresh?: number;
}

/** Probability that each question is unanswerable. A Map keeps the file's key order, which breaks ties like the official sort. */
export type NaProbs = Record<string, number> | ReadonlyMap<string, number>;

export interface EvaluateOptions {
  naProbs?: NaProbs;
  /** A prediction is treated as "no answer" when its na-prob exceeds this (default 1.0). */
  naProbThresh?: number;
}

export interface Evaluation {
  scores: OfficialScores;
  /** Question ids with no prediction: scored as the empty prediction '' (the official script would crash). */
  missing: string[];
  /** Prediction ids that are not in the dataset: ignored, as the official script does. */
  unknown: string[];
}

function exactMatch(gold: string, prediction: string): 0 | 1 {
  return normalizeAnswer(gold) === normalizeAnswer(prediction) ? 1 : 0;
}

function tokenF1(gold: string, prediction: string): number {
  const goldTokens = answerTokens(gold);
  const predTokens = answerTokens(prediction);
  if (goldTokens.length === 0 || predTokens.length === 0) {
    // Either side is "no answer": 1 if both are, 0 otherwise.
    return goldTokens.length === predTokens.length ? 1 : 0;
  }
  const goldCounts = new Map<string, number>();
  for (const token of goldTokens) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of predTokens) {
    const left = goldCounts.get(token) ?? 0;
    if (left > 0) {
      same += 1;
      goldCounts.set(token, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = (1.0 * same) / predTokens.length;
  const recall = (1.0 * same) / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Gold answers as the official script uses them: those normalising to '' dropped, [''] when none remain. */
export function effectiveGold(gold: string[]): string[] {
  const kept = gold.filter((answer) => normalizeAnswer(answer).length > 0);
  return kept.length > 0 ? kept : [''];
}

/** EM and F1 (0..1) of one prediction against its gold answers, max over the answers. */
export function scoreAnswer(prediction: string, gold: string[]): { em: 0 | 1; f1: number } {
  let em: 0 | 1 = 0;
  let f1 = 0;
  for (const answer of effectiveGold(gold)) {
    if (exactMatch(answer, prediction) === 1) em = 1;
    f1 = Math.max(f1, tokenF1(answer, prediction));
  }
  return { em, f1 };
}

function toEntries(naProbs: NaProbs): [string, number][] {
  return naProbs instanceof Map ? [...naProbs.entries()] : Object.entries(naProbs);
}

/** Left-to-right float sum, as Python 3.11's sum(). */
function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** The official find_best_thresh, step for step (stable sort by na-prob, strict improvement only). */
function findBestThresh(
  predictions: Map<string, string>,
  raw: Map<string, number>,
  naEntries: [string, number][],
  hasAnswer: Map<string, boolean>,
): [number, number] {
  let current = 0;
  for (const has of hasAnswer.values()) if (!has) current += 1;
  let best = current;
  let bestThresh = 0.0;
  const ordered = naEntries.map((entry, index) => ({ entry, index }));
  ordered.sort((a, b) => a.entry[1] - b.entry[1] || a.index - b.index);
  for (const { entry: [qid, prob] } of ordered) {
    const score = raw.get(qid);
    if (score === undefined) continue;
    const diff = hasAnswer.get(qid) ? score : predictions.get(qid) ? -1 : 0;
    current += diff;
    if (current > best) {
      best = current;
      bestThresh = prob;
    }
  }
  return [(100.0 * best) / raw.size, bestThresh];
}

/** Scores predictions {questionId: text} exactly as the official SQuAD 2.0 evaluate-v2.0.py does. */
export function evaluateSquad(dataset: SquadDataset, predictions: Record<string, string>, opts: EvaluateOptions = {}): Evaluation {
  const thresh = opts.naProbThresh ?? 1.0;
  const hasAnswer = new Map<string, boolean>();
  const preds = new Map<string, string>();
  const missing: string[] = [];
  const exactRaw = new Map<string, number>();
  const f1Raw = new Map<string, number>();
  for (const question of dataset.questions) {
    hasAnswer.set(question.id, question.answers.length > 0);
    let prediction = Object.hasOwn(predictions, question.id) ? predictions[question.id] : undefined;
    if (prediction === undefined) {
      missing.push(question.id);
      prediction = '';
    }
    preds.set(question.id, prediction);
    const { em, f1 } = scoreAnswer(prediction, question.answers);
    exactRaw.set(question.id, em);
    f1Raw.set(question.id, f1);
  }
  const unknown = Object.keys(predictions).filter((id) => !hasAnswer.has(id));

  const naEntries = opts.naProbs ? toEntries(opts.naProbs) : [...preds.keys()].map((id): [string, number] => [id, 0.0]);
  const naProb = new Map(naEntries);
  const lacking = [...preds.keys()].filter((id) => !naProb.has(id));
  const missingSet = new Set(missing);
  for (const id of lacking) {
    if (!missingSet.has(id)) {
      throw new UserError(`no na-prob for question id "${id}" (${lacking.length} predicted questions lack one)`);
    }
    // A missing prediction has no na-prob either: score it as '' with na-prob 0, like a prediction file without na-probs.
    naEntries.push([id, 0.0]);
    naProb.set(id, 0.0);
  }

  const applyThreshold = (raw: Map<string, number>): Map<string, number> =>
    new Map([...raw].map(([id, score]) => [id, naProb.get(id)! > thresh ? (hasAnswer.get(id) ? 0.0 : 1.0) : score]));
  const exact = applyThreshold(exactRaw);
  const f1 = applyThreshold(f1Raw);

  const scores: OfficialScores = {
    exact: (100.0 * sum(exact.values())) / exact.size,
    f1: (100.0 * sum(f1.values())) / exact.size,
    total: exact.size,
  };
  const subset = (wanted: boolean) => [...hasAnswer].filter(([, has]) => has === wanted).map(([id]) => id);
  const hasIds = subset(true);
  const noIds = subset(false);
  if (hasIds.length > 0) {
    scores.HasAns_exact = (100.0 * sum(hasIds.map((id) => exact.get(id)!))) / hasIds.length;
    scores.HasAns_f1 = (100.0 * sum(hasIds.map((id) => f1.get(id)!))) / hasIds.length;
    scores.HasAns_total = hasIds.length;
  }
  if (noIds.length > 0) {
    scores.NoAns_exact = (100.0 * sum(noIds.map((id) => exact.get(id)!))) / noIds.length;
    scores.NoAns_f1 = (100.0 * sum(noIds.map((id) => f1.get(id)!))) / noIds.length;
    scores.NoAns_total = noIds.length;
  }
  if (opts.naProbs) {
    [scores.best_exact, scores.best_exact_thresh] = findBestThresh(preds, exactRaw, naEntries, hasAnswer);
    [scores.best_f1, scores.best_f1_thresh] = findBestThresh(preds, f1Raw, naEntries, hasAnswer);
  }
  return { scores, missing, unknown };
}
