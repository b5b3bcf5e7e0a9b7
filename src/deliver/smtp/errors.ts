/**
 * Failures of the upstream SMTP client that are not an SMTP reply to a transaction command: the connection could
 * not be opened, broke, timed out, spoke nonsense, or refused us before any mail command (greeting, EHLO,
 * STARTTLS, AUTH). The codes go to logs (`errCode`) only; messages never carry customer data.
 */
export const UpstreamErrorCodes = {
  /** TCP connect failed, or the connection closed while a reply was awaited. */
  CONNECTION: 'ECONNECTION',
  /** No reply (or no connection) within `upstreamTimeout`. */
  TIMEOUT: 'ETIMEDOUT',
  /** A reply that is not SMTP (bad line, reply too long, unexpected reply). */
  PROTOCOL: 'EPROTOCOL',
  /** TLS handshake failed, or STARTTLS is required and not offered. */
  TLS: 'ETLS',
  /** AUTH refused, or no mechanism we can use. */
  AUTH: 'EAUTH',
  /** The greeting or EHLO/HELO was not accepted (e.g. 421 or 554 at connect). */
  GREETING: 'EGREETING',
} as const;

export type UpstreamErrorCode = (typeof UpstreamErrorCodes)[keyof typeof UpstreamErrorCodes];

export class UpstreamError extends Error {
  readonly code: UpstreamErrorCode;
  /** The upstream's reply code, when the failure was a reply (421 greeting, 535 AUTH, …). */
  readonly responseCode?: number;
  /** The upstream's reply text, for logs. */
  readonly response?: string;

  constructor(code: UpstreamErrorCode, message: string, reply?: { code: number; text: string }) {
    super(message);
    this.name = 'UpstreamError';
    this.code = code;
    if (reply) {
      this.responseCode = reply.code;
      this.response = reply.text;
    }
  }
}
