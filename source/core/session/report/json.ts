/**
 * The JSON report: the header facts plus the final Snapshot, exactly as the metrics
 * store computes it from every event of the log (snapshot at the last event's t).
 */
import type { Snapshot } from '../../metrics/snapshot.js';
import type { HeaderFacts, ReportData } from './data.js';

export interface JsonReport {
  kind: 'duet-report';
  schema: 1;
  log: string;
  complete: boolean;
  warnings: string[];
  header: HeaderFacts;
  snapshot: Snapshot;
}

export function jsonReport(data: ReportData): JsonReport {
  return { kind: 'duet-report', schema: 1, log: data.logPath, complete: data.complete, warnings: data.warnings, header: data.facts, snapshot: data.snapshot };
}

export function renderJson(data: ReportData): string {
  return `${JSON.stringify(jsonReport(data), null, 2)}\n`;
}
