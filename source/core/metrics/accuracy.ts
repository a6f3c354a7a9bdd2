import type { QueryRecord } from '../query.js';
import type { AccuracyFigures, Proportion } from './snapshot.js';
import { wilsonInterval } from './wilson.js';

/** Running EM hits and F1 sums; records without a score (failures, unscored) are not counted. */
class ScoreTally {
  n = 0;
  hits = 0;
  f1Sum = 0;

  add(em: number, f1: number | undefined): void {
    this.n++;
    this.hits += em >= 1 ? 1 : 0;
    this.f1Sum += f1 ?? em;
  }

  proportion(): Proportion {
    if (this.n === 0) return { n: 0 };
    const { low, high } = wilsonInterval(this.hits, this.n);
    return { value: (100 * this.hits) / this.n, low: 100 * low, high: 100 * high, n: this.n };
  }

  meanF1(): number | undefined {
    return this.n === 0 ? undefined : (100 * this.f1Sum) / this.n;
  }
}

/**
 * EM (percent, Wilson 95% interval) and mean F1 (percent), overall and split by
 * answerable / unanswerable. Counts records: a mirrored question counts once for each
 * model's record, so the combined figure weighs both answers.
 */
export class AccuracyTally {
  private readonly all = new ScoreTally();
  private readonly hasAns = new ScoreTally();
  private readonly noAns = new ScoreTally();

  add(record: QueryRecord): void {
    if (record.em === undefined) return;
    this.all.add(record.em, record.f1);
    if (record.answerable === true) this.hasAns.add(record.em, record.f1);
    if (record.answerable === false) this.noAns.add(record.em, record.f1);
  }

  get hits(): number {
    return this.all.hits;
  }

  figures(): AccuracyFigures {
    return {
      em: this.all.proportion(),
      f1: this.all.meanF1(),
      hasAns: { em: this.hasAns.proportion(), f1: this.hasAns.meanF1() },
      noAns: { em: this.noAns.proportion(), f1: this.noAns.meanF1() },
    };
  }
}
