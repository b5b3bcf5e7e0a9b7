/**
 * `smtp://` / `smtps://` upstream through nodemailer's pooled SMTP transport. The raw bytes are sent unchanged
 * with exactly the given envelope; the upstream's reply is mapped to a DeliveryResult the relay mirrors.
 */
import { isAscii } from 'node:buffer';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Envelope } from '../core/types.js';
import type { DeliveryResult, Upstream } from './types.js';

export interface SmtpUpstreamOptions {
  url: string;
  user?: string;
  password?: string;
  startTls: 'opportunistic' | 'required' | 'never';
  tlsVerify: boolean;
  pool: number;
  timeoutMs: number;
  maxRequeues: number;
  /** Our name in EHLO. */
  hostname?: string;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
  recipient?: string;
}

export function transportOptions(o: SmtpUpstreamOptions): SMTPPool.Options {
  const u = new URL(o.url);
  const secure = u.protocol === 'smtps:';
  const user = o.user || decodeURIComponent(u.username);
  const pass = o.password || decodeURIComponent(u.password);
  return {
    pool: true,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port) || (secure ? 465 : 25),
    secure,
    ignoreTLS: !secure && o.startTls === 'never',
    requireTLS: !secure && o.startTls === 'required',
    tls: { rejectUnauthorized: o.tlsVerify, servername: u.hostname },
    auth: user ? { user, pass } : undefined,
    maxConnections: o.pool,
    maxMessages: 1000,
    maxRequeues: o.maxRequeues,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
    dnsTimeout: o.timeoutMs,
    name: o.hostname || undefined,
    logger: false,
    debug: false,
  } as SMTPPool.Options;
}

/** Maps a nodemailer failure to what the client is told: 5xx stays permanent, everything else is temporary. */
export function classifyError(err: SmtpError): Pick<DeliveryResult, 'status' | 'code' | 'upstreamResponse'> {
  const code = err.responseCode;
  if (code && code >= 500 && code < 600) {
    return { status: 'permanent', code, upstreamResponse: err.response ?? err.message };
  }
  if (code && code >= 400 && code < 500) {
    return { status: 'temporary', code, upstreamResponse: err.response ?? err.message };
  }
  return { status: 'temporary', code: 451, upstreamResponse: `${err.code ?? 'ERROR'}: ${err.message}` };
}

/** Failures that say the connection (not the message) is bad: the pool is replaced so the next try starts clean. */
const CONNECTION_ERRORS = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EPROTOCOL', 'EDNS', 'ETLS']);

export class SmtpUpstream implements Upstream {
  private transport: Transporter;

  constructor(readonly options: SmtpUpstreamOptions) {
    this.transport = this.createTransport();
  }

  private createTransport(): Transporter {
    const t = nodemailer.createTransport(transportOptions(this.options));
    // A pool emits errors for idle connections; they are reported per message instead.
    t.on('error', () => undefined);
    return t;
  }

  /**
   * After a 421 or a broken connection the pool may keep stale connections and back off before reconnecting;
   * replacing it means the client's retry meets a fresh connection as soon as the upstream is back.
   */
  private resetPool(): void {
    const old = this.transport;
    this.transport = this.createTransport();
    old.close();
  }

  async send(envelope: Envelope, raw: Buffer): Promise<DeliveryResult> {
    const use8BitMime = !isAscii(raw);
    try {
      const info = await this.transport.sendMail({
        envelope: { from: envelope.mailFrom, to: envelope.rcptTo, use8BitMime } as never,
        raw,
      });
      const rejectedErrors = ((info as unknown as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []) as SmtpError[];
      const rejected = (info.rejected as string[]).map((address) => {
        const e = rejectedErrors.find((r) => r.recipient === address);
        return { address, code: e?.responseCode ?? 550 };
      });
      const code = Number(/^(\d{3})/.exec(info.response ?? '')?.[1] ?? 250);
      return {
        status: 'sent',
        code,
        accepted: (info.accepted as string[]).map(String),
        rejected,
        upstreamResponse: info.response ?? '',
        upstreamId: /queued as (\S+)/i.exec(info.response ?? '')?.[1],
      };
    } catch (e) {
      const err = e as SmtpError;
      const rejected = (err.rejectedErrors ?? []).map((r) => ({ address: r.recipient ?? '', code: r.responseCode ?? 550 }));
      // All recipients refused at RCPT: nodemailer reports EENVELOPE; the worst class decides.
      if (err.code === 'EENVELOPE' && rejected.length > 0) {
        const temp = rejected.some((r) => r.code < 500);
        return { status: temp ? 'temporary' : 'permanent', code: temp ? 450 : rejected[0]!.code, accepted: [], rejected, upstreamResponse: err.response ?? err.message };
      }
      if (err.responseCode === 421 || (!err.responseCode && CONNECTION_ERRORS.has(err.code ?? ''))) this.resetPool();
      return { ...classifyError(err), accepted: [], rejected, errorCode: err.code };
    }
  }

  async check(): Promise<boolean> {
    try {
      await this.transport.verify();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
