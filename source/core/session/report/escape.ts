/** Escaping for untrusted text (questions, answers, model output, paths) in reports. */
import { terminalSafe } from '../../text/sanitize.js';

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` become \u escapes
 * so no string can close the script element or open a comment; JSON.parse restores them.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The one Markdown sanitiser, for text and table cells: one line, terminal-safe (a report
 * may be read with cat), `&`, `<`, `>` as entities (renderers pass raw HTML such as a remote
 * `<img>` through), and the characters that open Markdown constructs backslash-escaped:
 * brackets (links, `![](url)` images), emphasis, code spans, strikethrough, pipes (cells).
 * Everything else ('.', '-', '#', '+') can only start a construct at the start of a line,
 * and the caller always places this text after something of its own.
 */
export function escapeMarkdownCell(text: string): string {
  return terminalSafe(text)
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}
