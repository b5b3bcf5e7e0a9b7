/**
 * One connection to the upstream SMTP server: connect (plain or implicit TLS), greeting, EHLO (HELO when EHLO is
 * refused), STARTTLS, AUTH PLAIN/LOGIN, then any number of mail transactions, each pipelined when the server
 * offers PIPELINING (RFC 2920): MAIL, every RCPT and DATA go out in one write, the body in one more, and the
 * replies are handled in the socket's data event, without extra turns of the event loop.
 *
 * A transaction reports what the server said per recipient; the pool (pool.ts) decides whether the connection
 * is reused. Failures that are not a reply to a mail command throw UpstreamError (errors.ts).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { domainToASCII } from 'node:url';
import { isAscii } from 'node:buffer';
import { hostname as osHostname } from 'node:os';
import type { Envelope } from '../../core/types.js';
import { wireBody } from './dot-stuff.js';
import { UpstreamError, UpstreamErrorCodes } from './errors.js';
import { ReplyParser, type SmtpResponse } from './reply-parser.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  /** Implicit TLS (smtps://). */
  secure: boolean;
  startTls: 'opportunistic' | 'required' | 'never';
  tlsVerify: boolean;
  /** Name the certificate is checked against (SNI). */
  servername: string;
  user?: string;
  password?: string;
  /** Connect, greeting and every reply must come within this. */
  timeoutMs: number;
  /** Our name in EHLO; empty = the system host name, or our address literal when that is not a domain. */
  name?: string;
}

/** What the server answered in one transaction. */
export interface TransactionReplies {
  mail: SmtpResponse;
  /** One reply per envelope recipient, in envelope order (a synthetic 553 for an address it cannot take). */
  rcpt: SmtpResponse[];
  /** DATA's reply; absent when no recipient was accepted (not sent, or pipelined and refused). */
  data?: SmtpResponse;
  /** The reply after the message's final dot; absent unless DATA got 354. */
  final?: SmtpResponse;
}

/** Raised inside a transaction when the connection fails; `stale` = it failed before the server replied to anything. */
export class TransactionBroken extends UpstreamError {
  stale = false;
  /** Some of the body was written: the server may have the message. */
  bodySent = false;
}

/**
 * A transaction whose MAIL, RCPT and DATA were answered: `replies` (the body goes next when DATA got 354), or
 * `done`, a complete answer reached without the server (sender not sendable, message over its SIZE).
 */
export type StartedTransaction =
  { replies: Omit<TransactionReplies, 'final'>; done?: undefined } | { done: TransactionReplies; replies?: undefined };

type Waiter = { resolve: (r: SmtpResponse) => void; reject: (e: Error) => void };

export class UpstreamConnection {
  /** Extensions from the last EHLO (keyword upper-cased → parameters). */
  extensions = new Map<string, string>();
  /** Transactions started on this connection. */
  transactions = 0;
  /** Set once the socket closed or a 421 said it will: the pool drops the connection. */
  closed = false;
  /** Called once when the connection ends, for whatever reason. */
  onClose: (() => void) | undefined;

  private socket: Socket | TLSSocket;
  private parser = new ReplyParser();
  private waiters: Waiter[] = [];
  private failure: UpstreamError | null = null;
  /** Rejects the STARTTLS handshake wait: set while it runs, so a failure (timeout, close) ends it too. */
  private handshakeFailed: ((err: UpstreamError) => void) | undefined;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  private constructor(
    private readonly options: ConnectionOptions,
    socket: Socket | TLSSocket,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  /** Connects and gets through greeting, EHLO, STARTTLS and AUTH. */
  static async open(options: ConnectionOptions): Promise<UpstreamConnection> {
    const socket = options.secure
      ? tlsConnect({
          host: options.host,
          port: options.port,
          servername: sni(options.servername),
          rejectUnauthorized: options.tlsVerify,
        })
      : netConnect({ host: options.host, port: options.port });
    const conn = new UpstreamConnection(options, socket);
    try {
      await conn.handshake();
      return conn;
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.setNoDelay(true);
    socket.setTimeout(this.options.timeoutMs);
    socket.on('data', this.onData);
    socket.on('timeout', () =>
      this.fail(
        new UpstreamError(
          UpstreamErrorCodes.TIMEOUT,
          this.waiters.length ? 'no reply from upstream in time' : 'idle upstream connection timed out',
        ),
      ),
    );
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.fail(
        new UpstreamError(
          isTlsError(err) ? UpstreamErrorCodes.TLS : UpstreamErrorCodes.CONNECTION,
          `${err.code ?? 'error'}: ${err.message}`,
        ),
      ),
    );
    socket.on('close', () =>
      this.fail(new UpstreamError(UpstreamErrorCodes.CONNECTION, 'upstream closed the connection')),
    );
  }

  private async handshake(): Promise<void> {
    const greeting = await this.read();
    if (greeting.code !== 220)
      throw new UpstreamError(UpstreamErrorCodes.GREETING, 'upstream refused the connection', greeting);
    await this.hello();
    if (!this.options.secure && this.options.startTls !== 'never') {
      if (this.extensions.has('STARTTLS')) {
        await this.startTls();
        await this.hello();
      } else if (this.options.startTls === 'required') {
        throw new UpstreamError(
          UpstreamErrorCodes.TLS,
          'upstream does not offer STARTTLS (upstreamStartTls: required)',
        );
      }
    }
    if (this.options.user) await this.authenticate(this.options.user, this.options.password ?? '');
  }

  private async hello(): Promise<void> {
    const name = this.ehloName();
    const ehlo = await this.command(`EHLO ${name}`);
    this.extensions = new Map();
    if (ehlo.code === 250) {
      for (const line of ehlo.lines.slice(1)) {
        const sp = line.indexOf(' ');
        this.extensions.set(
          (sp === -1 ? line : line.slice(0, sp)).toUpperCase(),
          sp === -1 ? '' : line.slice(sp + 1).trim(),
        );
      }
      return;
    }
    if (ehlo.code === 421) throw new UpstreamError(UpstreamErrorCodes.GREETING, 'upstream refused EHLO', ehlo);
    const helo = await this.command(`HELO ${name}`);
    if (helo.code !== 250) throw new UpstreamError(UpstreamErrorCodes.GREETING, 'upstream refused EHLO and HELO', helo);
  }

  private ehloName(): string {
    const configured = this.options.name || osHostname();
    if (/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/i.test(configured) && configured.includes('.')) return configured;
    const local = this.socket.localAddress ?? '127.0.0.1';
    return local.includes(':') ? `[IPv6:${local}]` : `[${local}]`;
  }

  private async startTls(): Promise<void> {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) throw new UpstreamError(UpstreamErrorCodes.TLS, 'upstream refused STARTTLS', reply);
    // Already failed, e.g. plaintext sent after the 220 in the same packet (STARTTLS injection): do not go on.
    if (this.failure) throw this.failure;
    const plain = this.socket;
    plain.removeListener('data', this.onData);
    plain.setTimeout(0);
    const secure = tlsConnect({
      socket: plain,
      servername: sni(this.options.servername),
      rejectUnauthorized: this.options.tlsVerify,
    });
    this.socket = secure;
    this.attach(secure);
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) =>
          reject(new UpstreamError(UpstreamErrorCodes.TLS, `TLS handshake failed: ${err.message}`));
        secure.once('secureConnect', () => {
          secure.removeListener('error', onError);
          resolve();
        });
        secure.once('error', onError);
        // A timeout or close during the handshake emits neither event above: without this the wait never ended.
        this.handshakeFailed = reject;
      });
    } finally {
      this.handshakeFailed = undefined;
    }
    this.parser = new ReplyParser(); // nothing sent before the handshake counts (RFC 3207 §4.2)
  }

  private async authenticate(user: string, password: string): Promise<void> {
    const offered = (this.extensions.get('AUTH') ?? '').toUpperCase().split(/\s+/);
    let reply: SmtpResponse;
    if (offered.includes('PLAIN') || !this.extensions.has('AUTH')) {
      reply = await this.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64')}`);
    } else if (offered.includes('LOGIN')) {
      reply = await this.command('AUTH LOGIN');
      if (reply.code === 334) reply = await this.command(Buffer.from(user, 'utf8').toString('base64'));
      if (reply.code === 334) reply = await this.command(Buffer.from(password, 'utf8').toString('base64'));
    } else {
      throw new UpstreamError(UpstreamErrorCodes.AUTH, 'upstream offers no AUTH mechanism we support (PLAIN, LOGIN)');
    }
    if (reply.code !== 235) throw new UpstreamError(UpstreamErrorCodes.AUTH, 'upstream refused our credentials', reply);
  }

  /**
   * One mail transaction. Resolves with the server's replies (refusals included); rejects with TransactionBroken
   * when the connection fails on the way.
   */
  transaction(envelope: Envelope, raw: Buffer): Promise<TransactionReplies> {
    return this.finish(this.start(envelope, { size: raw.length, eightBit: !isAscii(raw) }), raw);
  }

  /**
   * The first half of a transaction: MAIL, every RCPT and DATA (in one write when the server offers PIPELINING).
   * Resolves once the server answered them; the connection then waits for `finish` (the body) or `abandon`.
   * `size` is declared when known (SIZE); `eightBit` declares BODY=8BITMIME when the server offers it (a body
   * declared 8-bit may be 7-bit: the relay opens the transaction before it has the message).
   */
  start(envelope: Envelope, body: { size?: number; eightBit: boolean }): Promise<StartedTransaction> {
    this.transactions++;
    const state = { replied: false };
    const started = this.sendEnvelope(envelope, body, state).catch((err: unknown) => {
      throw this.broken(err, state.replied, false);
    });
    started.catch(() => undefined); // seen by finish; not an unhandled rejection while the body is still coming
    return started;
  }

  private async sendEnvelope(
    envelope: Envelope,
    body: { size?: number; eightBit: boolean },
    state: { replied: boolean },
  ): Promise<StartedTransaction> {
    const smtpUtf8 = this.extensions.has('SMTPUTF8');
    const from = wireAddress(envelope.mailFrom, smtpUtf8);
    if (from === null) return { done: refusedSender() };
    let params = '';
    if (this.extensions.has('SIZE') && body.size !== undefined) {
      const max = Number(this.extensions.get('SIZE'));
      if (max > 0 && body.size > max) return { done: tooBig(envelope) };
      params += ` SIZE=${body.size}`;
    }
    if (this.extensions.has('8BITMIME') && body.eightBit) params += ' BODY=8BITMIME';
    if (smtpUtf8 && !(asciiOnly(envelope.mailFrom) && envelope.rcptTo.every(asciiOnly))) params += ' SMTPUTF8';
    const rcptAddrs = envelope.rcptTo.map((r) => wireAddress(r, smtpUtf8));
    const commands = [`MAIL FROM:<${from}>${params}`];
    for (const r of rcptAddrs) if (r !== null) commands.push(`RCPT TO:<${r}>`);

    const replies: SmtpResponse[] = [];
    let data: SmtpResponse | undefined;
    if (this.extensions.has('PIPELINING')) {
      const sent = commands.length;
      const pending = Array.from({ length: sent + 1 }, () => this.read());
      // Once one fails (connection gone), the rest fail the same way: only the first is awaited.
      for (const p of pending) p.catch(() => undefined);
      this.write(`${commands.join('\r\n')}\r\nDATA\r\n`);
      for (let i = 0; i <= sent; i++) {
        const r = await pending[i]!;
        state.replied = true;
        if (i < sent) replies.push(r);
        else data = r;
        if (r.code === 421) break; // the server is closing: the other replies will not come
      }
    } else {
      for (const c of commands) {
        const r = await this.command(c);
        state.replied = true;
        replies.push(r);
        if ((replies.length === 1 && r.code !== 250) || r.code === 421) break; // MAIL refused: no RCPT
      }
      if (
        replies[0]!.code === 250 &&
        replies.slice(1).some((r) => r.code === 250 || r.code === 251) &&
        !replies.some((r) => r.code === 421)
      )
        data = await this.command('DATA');
    }
    const mail = replies[0]!;
    // Recipients we could not even name to this server (non-ASCII local part, no SMTPUTF8) get 553 5.6.7.
    let k = 1;
    const rcpt = rcptAddrs.map((r) => (r === null ? NOT_ASCII : (replies[k++] ?? NOT_SENT)));
    return { replies: { mail, rcpt, data } };
  }

  /**
   * The second half: the body after a 354 and the server's final reply, then RSET when the transaction failed
   * (the connection is left ready for the next one). Rejects with TransactionBroken; its `bodySent` is false
   * when not one byte of the body was written (nothing can have been delivered).
   */
  async finish(started: Promise<StartedTransaction>, raw: Buffer): Promise<TransactionReplies> {
    const s = await started;
    if (s.done) return s.done;
    const { mail, rcpt, data } = s.replies;
    let bodySent = false;
    try {
      let final: SmtpResponse | undefined;
      if (data?.code === 354) {
        // While the message was still arriving or being scanned, the connection may have closed (the upstream's
        // or our idle timeout): nothing was sent, and the caller may try again on another connection.
        if (this.failure)
          throw new UpstreamError(
            UpstreamErrorCodes.CONNECTION,
            'upstream connection closed before the message was ready',
          );
        const accepted = mail.code === 250 && rcpt.some((r) => r.code === 250 || r.code === 251);
        // A server that says 354 after refusing the sender or every recipient gets an empty message (RFC 2920 §3.1).
        const body = accepted ? wireBody(raw) : [Buffer.from('.\r\n')];
        const pending = this.read();
        bodySent = true;
        this.writeBody(body);
        final = await pending;
        if (!accepted) final = undefined;
      }
      const result = { mail, rcpt, data, final };
      if (isClosing(result)) this.destroy();
      else if (!(final && final.code >= 200 && final.code < 300) && !this.closed) {
        // Leave the connection ready for the next transaction.
        const rset = await this.command('RSET').catch(() => null);
        if (!rset || rset.code !== 250) this.destroy();
      }
      return result;
    } catch (err) {
      throw this.broken(err, true, bodySent);
    }
  }

  /** The connection as a failed transaction leaves it: closed, with the failure as TransactionBroken. */
  private broken(err: unknown, replied: boolean, bodySent: boolean): TransactionBroken {
    if (err instanceof TransactionBroken) return err;
    const broken = new TransactionBroken(
      err instanceof UpstreamError ? err.code : UpstreamErrorCodes.CONNECTION,
      err instanceof Error ? err.message : String(err),
    );
    broken.stale = !replied;
    broken.bodySent = bodySent;
    this.destroy();
    return broken;
  }

  /** Polite close: QUIT, then the socket ends whatever the reply. */
  quit(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.end('QUIT\r\n');
    } catch {
      /* already gone */
    }
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Idle connections must not keep a CLI command alive. */
  setActive(active: boolean): void {
    if (active) this.socket.ref();
    else this.socket.unref();
  }

  /** Sends one command and waits for its reply (error messages never contain the line: it may be a credential). */
  private command(line: string): Promise<SmtpResponse> {
    const reply = this.read();
    this.write(`${line}\r\n`);
    return reply;
  }

  private write(data: string): void {
    this.socket.write(data);
  }

  /**
   * The message after 354, in one write (corked: one writev). A large message on a slow link does not trip the
   * reply timeout while it is still moving: Node's socket timeout does not fire while the write queue shrinks
   * (test/deliver/smtp/connection.test.ts).
   */
  private writeBody(parts: Buffer[]): void {
    if (parts.length > 1) this.socket.cork();
    for (const p of parts) this.socket.write(p);
    if (parts.length > 1) this.socket.uncork();
  }

  /** The next reply. */
  private read(): Promise<SmtpResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<SmtpResponse>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private receive(chunk: Buffer): void {
    let replies: SmtpResponse[];
    try {
      replies = this.parser.push(chunk);
    } catch (err) {
      this.fail(err as UpstreamError);
      return;
    }
    for (const r of replies) {
      const w = this.waiters.shift();
      if (w) w.resolve(r);
      else if (r.code === 421) {
        // The server is closing this idle connection (timeout, shutdown): it must not be used again.
        this.fail(new UpstreamError(UpstreamErrorCodes.CONNECTION, 'upstream closed the connection (421)', r));
      } else {
        // Includes the 221 to our QUIT: the connection is over either way.
        this.fail(new UpstreamError(UpstreamErrorCodes.PROTOCOL, 'upstream sent a reply nobody asked for', r));
      }
    }
  }

  /** The connection is unusable from now on: waiting reads fail, the pool is told, the socket goes. */
  private fail(err: UpstreamError): void {
    this.failure ??= err;
    this.closed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(this.failure);
    this.handshakeFailed?.(this.failure);
    const cb = this.onClose;
    this.onClose = undefined;
    cb?.();
    this.socket.destroy();
  }
}

const NOT_ASCII: SmtpResponse = {
  code: 553,
  lines: ['5.6.7 Non-ASCII address and the upstream does not offer SMTPUTF8'],
  text: '553 5.6.7 Non-ASCII address and the upstream does not offer SMTPUTF8',
};
const NOT_SENT: SmtpResponse = { code: 451, lines: ['4.4.0 No reply to RCPT'], text: '451 4.4.0 No reply to RCPT' };

function refusedSender(): TransactionReplies {
  return { mail: NOT_ASCII, rcpt: [] };
}

function tooBig(envelope: Envelope): TransactionReplies {
  const r: SmtpResponse = {
    code: 552,
    lines: ['5.3.4 Message larger than the upstream accepts'],
    text: '552 5.3.4 Message larger than the upstream accepts',
  };
  return { mail: r, rcpt: envelope.rcptTo.map(() => r) };
}

/** A 421 anywhere: the server closes the connection after it. */
export function isClosing(t: TransactionReplies): boolean {
  return t.mail.code === 421 || t.rcpt.some((r) => r.code === 421) || t.data?.code === 421 || t.final?.code === 421;
}

function asciiOnly(s: string): boolean {
  return !/[\u0080-\uffff]/.test(s); // same test as [^\x00-\x7f], without a control character in the pattern (no-control-regex)
}

/**
 * The address as this server can take it: as is with SMTPUTF8 (or when ASCII); otherwise the domain in its
 * ASCII (punycode) form. null when the local part is not ASCII and the server has no SMTPUTF8.
 */
export function wireAddress(address: string, smtpUtf8: boolean): string | null {
  if (smtpUtf8 || asciiOnly(address)) return address;
  const at = address.lastIndexOf('@');
  const local = at === -1 ? address : address.slice(0, at);
  if (!asciiOnly(local)) return null;
  const domain = domainToASCII(address.slice(at + 1));
  return domain ? `${local}@${domain}` : null;
}

/** SNI must be a host name, not an address literal. */
function sni(name: string): string | undefined {
  const bare = name.replace(/^\[|\]$/g, '');
  return /^[\d.]+$/.test(bare) || bare.includes(':') ? undefined : bare;
}

function isTlsError(err: NodeJS.ErrnoException): boolean {
  return /^ERR_SSL|^ERR_TLS|CERT|SSL/i.test(err.code ?? '') || /certificate|SSL|TLS/i.test(err.message);
}
