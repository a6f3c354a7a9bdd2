import { describe, expect, it } from 'vitest';
import type { SegmentSummary } from '../../../source/core/metrics/snapshot.js';
import { judgeProbe, type ProbeResult } from '../../../source/core/sweep/probe.js';
import { paretoSet, recommendation, type PolicyCapacity } from '../../../source/core/sweep/results.js';

/** A probe segment: `issued` measured questions over exactly `seconds` of arrivals, `withinSlo` on time, `correct` right. */
function probeSegment(o: { issued: number; count?: number; withinSlo: number; correct?: number; seconds?: number; power?: number; backlog?: [number, number, number]; load?: number }): SegmentSummary {
  const seconds = o.seconds ?? 10;
  return {
    index: 3,
    policy: 'cascade',
    load: { mode: 'open', rate: o.load ?? 4 },
    tStart: 0,
    completed: o.issued,
    probe: {
      skip: 4,
      count: o.count ?? o.issued,
      attainment: 0.9,
      issued: o.issued,
      done: o.issued,
      failed: 0,
      withinSlo: o.withinSlo,
      correct: o.correct ?? 0,
      correctWithinSlo: Math.min(o.correct ?? 0, o.withinSlo),
      tFirstIssue: 1000,
      tLastIssue: 1000 + seconds * 900,
      tNextIssue: 1000 + seconds * 1000,
      backlogFirst: o.backlog?.[0] ?? 1,
      backlogLast: o.backlog?.[1] ?? 1,
      backlogSlope: o.backlog?.[2] ?? 0,
      ...(o.power === undefined ? {} : { meanPowerW: o.power }),
    },
  };
}

describe('judgeProbe', () => {
  it('passes when the Wilson lower bound reaches the target, fails when the upper bound is below it, else unresolved', () => {
    // 44 of 44: Wilson 95% [0.920, 1]; 40 of 44: [0.788, 0.964]; 30 of 44: [0.534, 0.800].
    expect(judgeProbe(probeSegment({ issued: 44, withinSlo: 44 }))!.verdict).toBe('pass');
    expect(judgeProbe(probeSegment({ issued: 44, withinSlo: 40 }))!.verdict).toBe('unresolved');
    expect(judgeProbe(probeSegment({ issued: 44, withinSlo: 30 }))!.verdict).toBe('fail');
    const unresolved = judgeProbe(probeSegment({ issued: 44, withinSlo: 40 }))!;
    expect(unresolved.attainment.low).toBeCloseTo(78.8, 1);
    expect(unresolved.attainment.high).toBeCloseTo(96.4, 1);
  });

  it('rates: measured arrivals per second times the share; energy per correct answer from mean power', () => {
    // 40 questions over 10 s of arrivals: 4 q/s; 30 on time, 20 correct (all on time); 50 W.
    const p = judgeProbe(probeSegment({ issued: 40, withinSlo: 30, correct: 20, power: 50 }))!;
    expect(p.arrivalRate).toBeCloseTo(4, 12);
    expect(p.throughput).toBeCloseTo(4, 12);
    expect(p.goodput).toBeCloseTo(3, 12);
    expect(p.correctWithinSloPerSec).toBeCloseTo(2, 12);
    expect(p.em.value).toBe(50);
    expect(p.joulesPerCorrect).toBeCloseTo(25, 12); // 50 W / 2 correct answers a second
    expect(p.qpsPerW).toBeCloseTo(0.08, 12);
  });

  it('a probe stopped early with its backlog growing faster than a fifth of the arrival rate, by 8 and a quarter of the arrivals, is over-saturated: a fail whatever its attainment', () => {
    // 4 q/s: the slope must exceed 0.8 q/s; 40 of 53 arrivals: the growth must reach 10.
    const stopped = { issued: 40, count: 53, withinSlo: 40 };
    const p = judgeProbe(probeSegment({ ...stopped, backlog: [2, 12, 1] }))!;
    expect(p).toMatchObject({ verdict: 'fail', overSaturated: true, questions: 40 });
    expect(judgeProbe(probeSegment({ ...stopped, backlog: [2, 12, 0.7] }))!.overSaturated).toBe(false);
    expect(judgeProbe(probeSegment({ ...stopped, backlog: [2, 11, 1] }))!.overSaturated).toBe(false);
    expect(judgeProbe(probeSegment({ issued: 19, count: 53, withinSlo: 19, backlog: [2, 20, 5] }))!.overSaturated).toBe(false); // too few arrivals to tell
    // A probe that ran its course is judged by its attainment alone.
    expect(judgeProbe(probeSegment({ issued: 53, withinSlo: 53, backlog: [2, 22, 1] }))).toMatchObject({ verdict: 'pass', overSaturated: false });
  });

  it('a probe stopped once its fail was certain fails, judged on its answered questions', () => {
    // 35 measured, 20 answered, 10 late: even with the 15 to come on time, 25 / 35 has a Wilson upper bound of 0.84 < 0.9.
    const figures = { ...probeSegment({ issued: 22, count: 35, withinSlo: 10 }), };
    figures.probe!.done = 20;
    const p = judgeProbe(figures)!;
    expect(p).toMatchObject({ verdict: 'fail', overSaturated: false, questions: 20, attainment: { value: 50, n: 20 } });
    // 2 late of 20 answered (all issued): 33 / 35 could still pass, so not certain: the 20 are judged as they are.
    Object.assign(figures.probe!, { issued: 20, done: 20, withinSlo: 18 });
    expect(judgeProbe(figures)).toMatchObject({ questions: 20, verdict: 'unresolved' }); // 18 / 20: [0.70, 0.97]
  });

  it('a segment that is not a probe is no probe', () => {
    const { probe: _probe, ...plain } = probeSegment({ issued: 4, withinSlo: 4 });
    expect(judgeProbe(plain)).toBeUndefined();
  });
});

function row(policy: string, capacity: number | undefined, em: number, joules?: number): PolicyCapacity {
  const at = { em: { value: em, low: em - 3, high: em + 3, n: 100 }, ...(joules === undefined ? {} : { joulesPerCorrect: joules }) } as ProbeResult;
  return { policy, mode: 'rate', ...(capacity === undefined ? {} : { capacity, at }), unresolved: [], probes: [] };
}

describe('Pareto set and recommendation', () => {
  it('keeps the policies no other beats on both capacity and EM', () => {
    const rows = [row('cascade', 6.1, 71), row('large-only', 3.9, 74), row('round-robin', 5, 60), row('small-only', 8, 40), row('mirror', undefined, 80)];
    // round-robin is beaten by cascade on both; mirror has no capacity.
    expect(paretoSet(rows)).toEqual(['cascade', 'large-only', 'small-only']);
  });

  it('counts energy only when every candidate has it', () => {
    const rows = [row('cascade', 6, 70, 30), row('round-robin', 6, 70, 20)];
    expect(paretoSet(rows)).toEqual(['round-robin']);
    expect(paretoSet([row('cascade', 6, 70, 30), row('round-robin', 6, 70)])).toEqual(['cascade', 'round-robin']);
  });

  it('says which serves the most and which answers best, at the SLO', () => {
    const rows = [row('cascade', 6.1, 71), row('large-only', 3.9, 74)];
    expect(recommendation(rows, { e2eMs: 5000 }, 0.99)).toBe(
      'At e2e <= 5 s for 99% of questions, cascade serves 6.1 q/s at EM 71% [68-74]; large-only serves 3.9 q/s at EM 74% [71-77]: choose cascade for load, large-only for accuracy.',
    );
    expect(recommendation([row('cascade', 6.1, 71), row('round-robin', 5, 60)], { ttftMs: 500, e2eMs: 5000 }, 0.9)).toBe(
      'At TTFT <= 500 ms, e2e <= 5 s for 90% of questions, cascade serves 6.1 q/s at EM 71% [68-74]: no policy tried serves more or answers better, so deploy it up to that load.',
    );
  });
});
