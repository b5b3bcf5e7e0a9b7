import type { Envelope } from '../core/types.js';

/** What the upstream said about one message. */
export interface DeliveryResult {
  /** 'sent': the upstream accepted it for every recipient in `accepted`. */
  status: 'sent' | 'temporary' | 'permanent';
  /** SMTP code the upstream answered (250, 451, 550, …); 451 for connection errors and timeouts. */
  code: number;
  accepted: string[];
  /** Recipients the upstream refused, with its code (partial delivery). */
  rejected: { address: string; code: number }[];
  /** Upstream's own reply line, for logs only (never copied to the client). */
  upstreamResponse: string;
  /** Client-side error code for failures without an upstream reply (ECONNECTION, ETIMEDOUT, …), for logs. */
  errorCode?: string;
  /** Upstream queue id or outbox file name, when known. */
  upstreamId?: string;
}

/** Sends a message upstream: used by the relay, by quarantine release and by sender notices. */
export interface Upstream {
  /** `raw` is sent byte for byte with exactly this envelope. */
  send(envelope: Envelope, raw: Buffer, opts?: { id?: string }): Promise<DeliveryResult>;
  /**
   * Opens the transaction for a message that is still arriving (MAIL, RCPT and DATA go out now), so that once it
   * may go only the body's round trip is left. undefined when this upstream cannot (or every connection is busy):
   * the message then goes by `send`.
   */
  prepare?(envelope: Envelope): PreparedDelivery | undefined;
  /** True when the upstream answers (for /readyz). */
  check(): Promise<boolean>;
  close(): Promise<void>;
}

/** A transaction opened by `Upstream.prepare`: exactly one of `send` or `abandon` ends it. */
export interface PreparedDelivery {
  /** Sends the message (this exact envelope's) and reports as `Upstream.send` does. */
  send(raw: Buffer): Promise<DeliveryResult>;
  /** Cancels it: nothing is delivered (the connection, in DATA, is closed). No-op after `send`. */
  abandon(): void;
}
