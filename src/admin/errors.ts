/** HTTP statuses for the admin server's errors, with messages that carry no customer data. */
import { ErrorCodes, isPostguardError } from '../core/errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function httpStatusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (isPostguardError(err, ErrorCodes.QUARANTINE_NOT_FOUND)) return 404;
  if (isPostguardError(err, ErrorCodes.QUARANTINE_STATE)) return 409;
  if (isPostguardError(err, ErrorCodes.USAGE)) return 400;
  if (isPostguardError(err, ErrorCodes.ADMIN_AUTH)) return 403;
  if (isPostguardError(err, ErrorCodes.UPSTREAM_TEMPORARY) || isPostguardError(err, ErrorCodes.UPSTREAM_PERMANENT))
    return 502;
  // fastify's own errors (validation 400, body too large 413, unsupported media type 415, bad JSON 400)
  const code = (err as { statusCode?: unknown }).statusCode;
  if (typeof code === 'number' && code >= 400 && code < 500) return code;
  return 500;
}

export function publicMessage(err: unknown): string {
  const status = httpStatusOf(err);
  return status === 500 ? 'internal error' : err instanceof Error ? err.message : String(err);
}
