/**
 * The JSON report: the flat result keys (docs/results.md, the same as the last line of
 * `duet run --json`), the header facts, and the final Snapshot exactly as the metrics
 * store computes it from every event of the log (snapshot at the last event's t).
 */
import type { Snapshot } from '../../metrics/snapshot.js';
import { resultsOf } from '../../results/flat.js';
import type { Results } from '../../results/schema.js';
import type { HeaderFacts, ReportData } from './data.js';

export type JsonReport = {
  kind: 'duet-report';
  schema: 2;
  log: string;
  complete: boolean;
  warnings: string[];
} & Results & {
    header: HeaderFacts;
    snapshot: Snapshot;
  };

export function jsonReport(data: ReportData): JsonReport {
  const end = data.end;
  const results = resultsOf(data.snapshot, end ? { reason: end.reason, ...(end.detail === undefined ? {} : { detail: end.detail }) } : {});
  return { kind: 'duet-report', schema: 2, log: data.logPath, complete: data.complete, warnings: data.warnings, ...results, header: data.facts, snapshot: data.snapshot };
}

export function renderJson(data: ReportData): string {
  return `${JSON.stringify(jsonReport(data), null, 2)}\n`;
}
