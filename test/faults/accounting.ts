import type { RunEvent } from '../../source/core/events.js';

/**
 * The no-loss invariant: every model a question was issued to ends in exactly one record
 * (query-finished or query-failed, id `<seq>:<model>`); a cascade escalation adds one more
 * record for B, flagged escalated. Returns the counts and a list of violations.
 */
export function accountFor(events: readonly RunEvent[]): { issued: number; expected: number; results: number; errors: number; problems: string[] } {
  const expected = new Map<string, number>();
  const seen = new Map<string, number>();
  let issued = 0;
  let results = 0;
  let errors = 0;
  for (const event of events) {
    if (event.type === 'query-issued') {
      issued++;
      for (const model of event.targets) expected.set(`${event.seq}:${model}`, 1);
    } else if (event.type === 'query-finished' || event.type === 'query-failed') {
      if (event.type === 'query-finished') results++;
      else errors++;
      seen.set(event.record.id, (seen.get(event.record.id) ?? 0) + 1);
      // An escalated B answer is the second record of a question sent to A.
      if (event.record.escalated && event.record.model === 'B') expected.set(event.record.id, (expected.get(event.record.id) ?? 0) + 1);
    }
  }
  const problems: string[] = [];
  for (const [id, want] of expected) if ((seen.get(id) ?? 0) !== want) problems.push(`${id}: ${seen.get(id) ?? 0} records, expected ${want}`);
  for (const id of seen.keys()) if (!expected.has(id)) problems.push(`${id}: a record for a query never issued`);
  return { issued, expected: [...expected.values()].reduce((a, b) => a + b, 0), results, errors, problems };
}
