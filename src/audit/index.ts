/** The audit log: append-only record of admin actions (log.ts) and its exports (export.ts). */
export {
  FileAuditLog,
  openAudit,
  RedisAuditLog,
  type AuditEntry,
  type AuditInput,
  type AuditLog,
  type AuditQuery,
} from './log.js';
export { auditToCsv, auditToJsonLines, csvCell } from './export.js';
