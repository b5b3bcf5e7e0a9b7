/**
 * Typed errors with stable codes (nodemailer style). Codes appear in logs and tests; messages never carry
 * customer data.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'EPG_CONFIG_INVALID',
  CONFIG_FILE: 'EPG_CONFIG_FILE',
  USERS_FILE: 'EPG_USERS_FILE',
  UPSTREAM_TEMPORARY: 'EPG_UPSTREAM_TEMPORARY',
  UPSTREAM_PERMANENT: 'EPG_UPSTREAM_PERMANENT',
  UPSTREAM_PARTIAL: 'EPG_UPSTREAM_PARTIAL',
  OUTBOX_WRITE: 'EPG_OUTBOX_WRITE',
  PARSE: 'EPG_PARSE',
  SCAN_TIMEOUT: 'EPG_SCAN_TIMEOUT',
  SCAN_FAILED: 'EPG_SCAN_FAILED',
  /** Extraction could not start in time because other messages held every extraction worker (load). */
  SCAN_BUSY: 'EPG_SCAN_BUSY',
  DIRECTORY: 'EPG_DIRECTORY',
  DIRECTORY_IMPORT: 'EPG_DIRECTORY_IMPORT',
  /** The directory store holds keys of another key format (directory/key-format.ts): re-import it. */
  DIRECTORY_KEY_FORMAT: 'EPG_DIRECTORY_KEY_FORMAT',
  /** A directory sync from a database failed (directory/sync/); the directory is left as it was. */
  DIRECTORY_SYNC: 'EPG_DIRECTORY_SYNC',
  SECRET: 'EPG_SECRET',
  /** The data folder, a key or a credential file is writable by others or owned by another user (core/data-dir.ts). */
  UNSAFE_PERMISSIONS: 'EPG_UNSAFE_PERMISSIONS',
  POLICY_INVALID: 'EPG_POLICY_INVALID',
  QUARANTINE_STORE: 'EPG_QUARANTINE_STORE',
  QUARANTINE_NOT_FOUND: 'EPG_QUARANTINE_NOT_FOUND',
  QUARANTINE_STATE: 'EPG_QUARANTINE_STATE',
  ADMIN_AUTH: 'EPG_ADMIN_AUTH',
  USAGE: 'EPG_USAGE',
  /** The verdict journal could not be written or read. */
  JOURNAL: 'EPG_JOURNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class PostguardError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'PostguardError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

export function isPostguardError(err: unknown, code?: ErrorCode): err is PostguardError {
  return err instanceof PostguardError && (code === undefined || err.code === code);
}
