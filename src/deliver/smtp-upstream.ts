/**
 * `smtp://` / `smtps://` upstream: the raw bytes are sent unchanged (dot-stuffed on the wire) with exactly the
 * given envelope, over a pool of pipelined connections (smtp/pool.ts, smtp/connection.ts); the upstream's
 * replies become a DeliveryResult the relay mirrors.
 *
 * Our own client rather than nodemailer's pool: it pipelines MAIL/RCPT/DATA into one write and handles replies in
 * the socket's data event, which took the relay's delivery step from four round trips and a dozen event-loop
 * turns to two round trips (bench/README.md, "upstream client").
 */
import type { Envelope } from '../core/types.js';
import {
  TransactionBroken,
  UpstreamConnection,
  isClosing,
  type ConnectionOptions,
  type TransactionReplies,
} from './smtp/connection.js';
import { UpstreamError, UpstreamErrorCodes } from './smtp/errors.js';
import { ConnectionPool } from './smtp/pool.js';
import type { DeliveryResult, PreparedDelivery, Upstream } from './types.js';

export interface SmtpUpstreamOptions {
  url: string;
  user?: string;
  password?: string;
  startTls: 'opportunistic' | 'required' | 'never';
  tlsVerify: boolean;
  pool: number;
  timeoutMs: number;
  /** Times a message is retried on a fresh connection when a reused one turns out to be closed. */
  maxRequeues: number;
  /** Our name in EHLO. */
  hostname?: string;
}

/** Transactions per connection before it is replaced. */
const MAX_TRANSACTIONS = 1000;

export function connectionOptions(o: SmtpUpstreamOptions): ConnectionOptions {
  const u = new URL(o.url);
  const secure = u.protocol === 'smtps:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: Number(u.port) || (secure ? 465 : 25),
    secure,
    startTls: o.startTls,
    tlsVerify: o.tlsVerify,
    servername: host,
    user: o.user || decodeURIComponent(u.username) || undefined,
    password: o.password || decodeURIComponent(u.password),
    timeoutMs: o.timeoutMs,
    name: o.hostname || undefined,
  };
}

const is2xx = (code: number) => code >= 200 && code < 300;
const ACCEPTED = (code: number) => code === 250 || code === 251;

/** A refusal: 5xx stays permanent, everything else is temporary. */
function refusal(code: number, text: string, rest: Partial<DeliveryResult> = {}): DeliveryResult {
  return {
    status: code >= 500 && code < 600 ? 'permanent' : 'temporary',
    code,
    accepted: [],
    rejected: [],
    upstreamResponse: text,
    ...rest,
  };
}

/** The server's replies to one transaction, as the relay sees them. */
export function resultOf(envelope: Envelope, t: TransactionReplies): DeliveryResult {
  if (isClosing(t)) {
    const r = [t.mail, ...t.rcpt, t.data, t.final].find((x) => x?.code === 421)!;
    return refusal(421, r.text);
  }
  if (!is2xx(t.mail.code)) return refusal(t.mail.code, t.mail.text);
  const accepted: string[] = [];
  const rejected: { address: string; code: number }[] = [];
  envelope.rcptTo.forEach((address, i) => {
    const r = t.rcpt[i];
    if (r && ACCEPTED(r.code)) accepted.push(address);
    else rejected.push({ address, code: r?.code ?? 451 });
  });
  if (accepted.length === 0) {
    // Every recipient refused: the worst class decides (any temporary refusal → try again later).
    const temp = rejected.some((r) => r.code < 500);
    const text = t.rcpt.map((r) => r.text).join(' | ');
    return {
      status: temp ? 'temporary' : 'permanent',
      code: temp ? 450 : rejected[0]!.code,
      accepted: [],
      rejected,
      upstreamResponse: text,
    };
  }
  if (!t.data || t.data.code !== 354)
    return refusal(t.data?.code ?? 451, t.data?.text ?? 'no reply to DATA', { rejected });
  if (!t.final || !is2xx(t.final.code))
    return refusal(t.final?.code ?? 451, t.final?.text ?? 'no reply after the message', { rejected });
  return {
    status: 'sent',
    code: t.final.code,
    accepted,
    rejected,
    upstreamResponse: t.final.text,
    upstreamId: /queued as (\S+)/i.exec(t.final.text)?.[1],
  };
}

/** A failure without a reply to a mail command: always temporary, so the client keeps the message and retries. */
function failure(err: unknown): DeliveryResult {
  const e =
    err instanceof UpstreamError
      ? err
      : new UpstreamError(UpstreamErrorCodes.CONNECTION, err instanceof Error ? err.message : String(err));
  return {
    status: 'temporary',
    code: e.responseCode && e.responseCode >= 400 && e.responseCode < 500 ? e.responseCode : 451,
    accepted: [],
    rejected: [],
    upstreamResponse: e.response ? `${e.code}: ${e.response}` : `${e.code}: ${e.message}`,
    errorCode: e.code,
  };
}

export class SmtpUpstream implements Upstream {
  private readonly pool: ConnectionPool;
  private readonly connection: ConnectionOptions;

  constructor(readonly options: SmtpUpstreamOptions) {
    this.connection = connectionOptions(options);
    this.pool = new ConnectionPool({ ...this.connection, size: options.pool, maxTransactions: MAX_TRANSACTIONS });
  }

  async send(envelope: Envelope, raw: Buffer): Promise<DeliveryResult> {
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      let acquired;
      try {
        acquired = await this.pool.acquire(fresh);
      } catch (err) {
        return failure(err);
      }
      const { conn, reused } = acquired;
      try {
        return resultOf(envelope, await this.settle(conn, conn.transaction(envelope, raw)));
      } catch (err) {
        // A reused connection the server had already closed: nothing was delivered, try a fresh one.
        if (err instanceof TransactionBroken && err.stale && reused && attempt < this.options.maxRequeues) {
          fresh = true;
          continue;
        }
        return failure(err);
      }
    }
  }

  /**
   * Waits for a transaction on `conn`, then hands the connection back to the pool: reused unless it broke or the
   * server said 421 (then the idle ones are closed too: they lead to the same server).
   */
  private async settle(
    conn: UpstreamConnection,
    transaction: Promise<TransactionReplies>,
  ): Promise<TransactionReplies> {
    let replies: TransactionReplies;
    try {
      replies = await transaction;
    } catch (err) {
      this.pool.release(conn, false);
      this.pool.reset();
      throw err;
    }
    const closing = isClosing(replies);
    if (closing) this.pool.reset();
    this.pool.release(conn, !closing);
    return replies;
  }

  /**
   * MAIL, RCPT and DATA on an idle (or new) pooled connection while the message is still arriving, as Postfix
   * does towards a before-queue filter; the body follows in `send`. Never waits for a busy connection.
   * BODY=8BITMIME is declared when offered (the body is not known yet), SIZE is not.
   */
  prepare(envelope: Envelope): PreparedDelivery | undefined {
    const acquiring = this.pool.tryAcquire();
    if (!acquiring) return undefined;
    const opened = acquiring.then(({ conn }) => ({ conn, started: conn.start(envelope, { eightBit: true }) }));
    opened.catch(() => undefined); // a failure to connect is reported by send, or dropped by abandon
    let ended = false;
    return {
      send: async (raw) => {
        if (ended) throw new Error('prepared delivery already ended');
        ended = true;
        let conn;
        let started;
        try {
          ({ conn, started } = await opened);
        } catch (err) {
          return failure(err); // no connection could be opened (as `send` reports it)
        }
        try {
          return resultOf(envelope, await this.settle(conn, conn.finish(started, raw)));
        } catch (err) {
          // The connection closed before one byte of the body went out (e.g. an idle timeout while the message
          // was being scanned): nothing was delivered, so the ordinary way tries again. Not after a timeout
          // waiting for a reply: that upstream is not answering, and the client should not wait twice.
          if (err instanceof TransactionBroken && !err.bodySent && err.code !== UpstreamErrorCodes.TIMEOUT)
            return this.send(envelope, raw);
          return failure(err);
        }
      },
      abandon: () => {
        if (ended) return;
        ended = true;
        // A server in DATA can only be stopped by closing the connection; it delivers nothing without the final dot.
        opened.then(
          ({ conn }) => {
            conn.destroy();
            this.pool.release(conn, false);
          },
          () => undefined,
        );
      },
    };
  }

  /** True when a fresh connection gets through greeting, EHLO, STARTTLS and AUTH (for /readyz). */
  async check(): Promise<boolean> {
    try {
      const conn = await UpstreamConnection.open(this.connection);
      conn.quit();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
