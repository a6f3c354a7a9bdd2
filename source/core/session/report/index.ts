/** Reports of one session log: `renderReport(log, format)` gives the file's text. */
import type { SessionLogData } from '../reader.js';
import { buildReportData } from './data.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export { buildReportData, SYNTHETIC_LABEL, type ReportData } from './data.js';
export { jsonReport, type JsonReport } from './json.js';

export const REPORT_FORMATS = ['html', 'md', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(log: SessionLogData, format: ReportFormat): string {
  const data = buildReportData(log);
  if (format === 'json') return renderJson(data);
  if (format === 'md') return renderMarkdown(data);
  return renderHtml(data);
}
