/** Audit log exports: CSV (spreadsheet-safe) and JSON Lines, oldest entry first as the caller passes them. */
import type { AuditEntry } from './log.js';

const CSV_COLUMNS = ['time', 'actor', 'action', 'messageId', 'reason', 'details'] as const;

/**
 * One CSV cell, safe to open in a spreadsheet (OWASP CSV injection): a value starting with = + - @ tab or CR is
 * prefixed with ' so it is shown as text, never run as a formula; a value holding a comma, semicolon (the field
 * separator of many European spreadsheet locales), quote or line break is quoted.
 */
export function csvCell(v: unknown): string {
  let s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function auditToCsv(entries: AuditEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of entries) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function auditToJsonLines(entries: AuditEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}
