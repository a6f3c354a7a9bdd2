/** The Markdown report: the same tables as the HTML one, without charts. */
import type { ReportData } from './data.js';
import { escapeMarkdownCell } from './escape.js';
import { allTables, factRows, type Table } from './tables.js';

export function markdownTable(table: Pick<Table, 'head' | 'rows'>): string {
  const line = (cells: string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${table.head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  return [line(table.head), rule, ...table.rows.map(line)].join('\n');
}

export function renderMarkdown(data: ReportData): string {
  const parts = [`# duet session report`, '', markdownTable({ head: ['', ''], rows: factRows(data) })];
  for (const warning of data.warnings) parts.push('', `> warning: ${escapeMarkdownCell(warning)}`);
  for (const table of allTables(data)) {
    parts.push('', `## ${escapeMarkdownCell(table.title)}`, '');
    if (table.note) parts.push(escapeMarkdownCell(table.note), '');
    parts.push(table.rows.length > 0 ? markdownTable(table) : '_none_');
  }
  return `${parts.join('\n')}\n`;
}
