import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../source/core/events.js';
import { judge } from '../../../source/core/plane/guard.js';
import { parseSessionLog } from '../../../source/core/session/reader.js';
import { buildReportData, renderReport } from '../../../source/core/session/report/index.js';
import { fakeHeader, fakeRunEvents, toJsonl } from './fake-run.js';

const main = { loopDelayP99Ms: 2, loopDelayMaxMs: 4, utilisation: 0.4 };

/** A fake run with one measuring sample per second: `bound` of them with sends 18 ms late. */
function logWithGuard(seconds: number, bound: number) {
  const events = fakeRunEvents({ questions: 10 });
  const end = events.findIndex((e) => e.type === 'run-end');
  const samples: RunEvent[] = Array.from({ length: seconds }, (_, i) => ({
    type: 'measuring',
    t: 1000 * (i + 1),
    sample: judge({ intervalMs: 1000, main, ...(i < bound ? { sendLag: { p99Ms: 18, maxMs: 25, count: 9 } } : {}) }),
  }));
  events.splice(end, 0, ...samples);
  return parseSessionLog(toJsonl(fakeHeader(), events), 'guard.jsonl');
}

describe('the measuring guard in reports', () => {
  it('names the share of the run the client was the bottleneck in, and the possible inflation', () => {
    const log = logWithGuard(20, 5);
    expect(buildReportData(log).snapshot.measuring).toMatchObject({ samples: 20, boundSamples: 5, worstLagMs: 18 });
    const line = 'client-bound for 25% of the run: sends ran up to 18 ms behind schedule (in the from-schedule figures)';
    expect(renderReport(log, 'md')).toContain(`| timing | ${line} |`);
    expect(renderReport(log, 'html')).toContain(line);
  });

  it('says the client kept up when the guard never tripped, and "not checked" for a log without it', () => {
    expect(renderReport(logWithGuard(12, 0), 'md')).toContain('| timing | the client kept up for all 12 s sampled (measuring guard) |');
    const old = parseSessionLog(toJsonl(fakeHeader(), fakeRunEvents({ questions: 10 })), 'old.jsonl');
    expect(renderReport(old, 'md')).toContain('| timing | not checked (the log has no measuring-guard samples) |');
  });
});

describe('latency from the schedule in reports', () => {
  it('tabulates send lag and latency from the schedule next to latency from the send', async () => {
    const { finished, issued, record, runStart } = await import('../metrics/fixtures.js');
    // Two answers to A: due at 1000 and 2000, sent 12 and 4 ms late (issue + pre 2 ms); e2e 64 each.
    const events: RunEvent[] = [
      runStart(0),
      issued(1, 1010),
      finished(record(1, 1010, { tScheduled: 1000 })),
      issued(2, 2002),
      finished(record(2, 2002, { tScheduled: 2000 })),
      { type: 'run-end', t: 3000, reason: 'finished' },
    ];
    const markdown = renderReport(parseSessionLog(toJsonl(fakeHeader(), events), 'sched.jsonl'), 'md');
    expect(markdown).toContain('## Latency from the schedule');
    expect(markdown).toContain('| A send lag | 2 | 8 ms | 4 ms | 12 ms | 12 ms | 12 ms |');
    expect(markdown).toContain('| A E2E from schedule | 2 | 72 ms | 68 ms | 76 ms | 76 ms | 76 ms |');
    expect(markdown).not.toContain('B send lag');
  });

  it('leaves the table out for a log without schedules', () => {
    const old = parseSessionLog(toJsonl(fakeHeader(), fakeRunEvents({ questions: 10 })), 'old.jsonl');
    expect(renderReport(old, 'md')).not.toContain('Latency from the schedule');
  });
});
