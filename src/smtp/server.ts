/**
 * Inbound SMTP (smtp-server): session, AUTH, relay permission, limits. Hands each complete message to the
 * transaction handler and answers DATA with its reply.
 *
 * Relaying is allowed only to clients in trusted networks or to authenticated users; AUTH from outside the
 * trusted networks needs TLS (unless authRequireTls is off). postguard is never an open relay.
 *
 * Connections are admitted by ConnectionAdmission (capacity reserved for trusted networks, per-client count and
 * rate limits for strangers) and strangers that make no progress are dropped by ProgressWatch.
 */
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import {
  SMTPServer,
  type SMTPServerSession,
  type SMTPServerAuthentication,
  type SMTPServerAddress,
  type SMTPServerDataStream,
} from 'smtp-server';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { parseAddress, routesElsewhere } from '../core/address.js';
import { FailureBudget } from '../core/failure-budget.js';
import { RecentMap } from '../core/recent.js';
import { newTransactionId } from '../core/ids.js';
import type { Envelope, InboundMessage, SmtpReply } from '../core/types.js';
import { readData, type BareNewlineMode } from './data-reader.js';
import { installSmtpServerAdapters, setGreetingDelay, smtpError } from './smtp-server-adapters.js';
import { ConnectionAdmission, type Ticket } from './admission.js';
import { ProgressWatch } from './progress.js';
import { SessionSockets } from './session-sockets.js';
import type { NetworkList } from './networks.js';
import type { UserStore } from './users.js';
import { replies } from './replies.js';

/** The limits inbound SMTP enforces (config keys `limits.*`). */
export type SmtpLimits = Omit<Config['limits'], 'scanTimeout'>;

/** Window in which failed AUTH attempts per client address are counted. */
export const AUTH_WINDOW_MS = 15 * 60 * 1000;

export interface InboundOptions<W extends EarlyWork = EarlyWork> {
  hostname?: string;
  tls?: { cert: string; key: string };
  trusted: NetworkList;
  users: UserStore;
  authRequireTls: boolean;
  limits: SmtpLimits;
  /** What a bare LF in DATA does (`smtp.bareNewline`); default normalize. */
  bareNewline?: BareNewlineMode;
  logger: Logger;
  /**
   * Called when DATA begins, with the envelope: work to start before the message is complete (the relay opens
   * the upstream transaction). What it returns goes to `onMessage`, or is abandoned when no message comes.
   */
  onDataStart?(envelope: Envelope): W | undefined;
  /** Handles a complete message; resolves with the reply for the end of DATA. */
  onMessage(message: InboundMessage, early?: W): Promise<SmtpReply>;
}

/** Started by `onDataStart`; abandoned when the reply to DATA goes out or the DATA phase times out (a no-op once used). */
export interface EarlyWork {
  abandon(): void;
}

interface SessionState {
  trusted: boolean;
  authFailures: number;
  /** Set when the connection was admitted (and counted). */
  ticket?: Ticket;
  /** AUTH is withheld until STARTTLS (authRequireTls, client outside trustedNetworks). */
  authAfterTls: boolean;
}

function replyError(r: SmtpReply): Error & { responseCode: number } {
  return smtpError(r.code, r.enhanced, r.text);
}

/** Verdicts of envelopeAddressOk for recent addresses (two parsers per MAIL and RCPT add up; senders repeat). */
const envelopeVerdicts = new RecentMap<string, boolean>(2048);

/**
 * Validates an envelope address with the canonical parser, and checks that a second, independent parser
 * (nodemailer's addressparser) reads it as the same single mailbox: the upstream client writes the address
 * verbatim, so an address two parsers disagree on could reach a mailbox the decision did not look at.
 */
export function envelopeAddressOk(address: string): boolean {
  if (address === '') return true;
  const known = envelopeVerdicts.get(address);
  if (known !== undefined) return known;
  const parsed = parseAddress(address);
  const theirs = parsed ? (addressparser(address, { flatten: true }) as { address?: string }[]) : [];
  const ok =
    parsed !== null && theirs.length === 1 && (theirs[0]!.address ?? '').toLowerCase() === address.toLowerCase();
  envelopeVerdicts.set(address, ok);
  return ok;
}

export class InboundServer<W extends EarlyWork = EarlyWork> {
  readonly server: SMTPServer;
  readonly hostname: string;
  /** Failed AUTH attempts per client address and per user name, attempts in flight included (core/failure-budget.ts). */
  private readonly authBudget: FailureBudget;
  private readonly admission: ConnectionAdmission;
  private readonly progress: ProgressWatch<SMTPServerSession>;
  private readonly sockets = new SessionSockets();
  private progressTimer: NodeJS.Timeout | undefined;
  /** Commands disabled for every session (STARTTLS without a certificate). */
  private readonly disabledCommands: string[];
  private readonly state = new WeakMap<SMTPServerSession, SessionState>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly opts: InboundOptions<W>) {
    installSmtpServerAdapters();
    this.hostname = opts.hostname || osHostname();
    const maxAuth = opts.limits.maxAuthFailuresPerClient;
    this.authBudget = new FailureBudget({ perAddress: maxAuth, perAccount: maxAuth, windowMs: AUTH_WINDOW_MS });
    const tls =
      opts.tls && opts.tls.cert ? { cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) } : undefined;
    this.disabledCommands = tls ? [] : ['STARTTLS'];
    this.admission = new ConnectionAdmission(opts.limits);
    this.progress = new ProgressWatch(opts.limits);
    this.server = new SMTPServer({
      name: this.hostname,
      banner: 'postguard', // smtp-server writes "220 NAME ESMTP " before it
      size: opts.limits.maxSize,
      hideSize: false,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      hideREQUIRETLS: true,
      hideSTARTTLS: !tls,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: true,
      // Per session instead: AUTH is withheld from strangers until STARTTLS (onConnect/onSecure).
      allowInsecureAuth: true,
      disabledCommands: this.disabledCommands,
      disableReverseLookup: true,
      // No maxClients: admission counts connections in onConnect/onClose (ConnectionAdmission).
      maxRecipients: opts.limits.maxRecipients,
      socketTimeout: opts.limits.commandTimeout,
      closeTimeout: 30_000,
      logger: false,
      ...(tls ?? {}),
      onConnect: (session, cb) => this.onConnect(session, cb),
      onClose: (session) => this.onClose(session),
      onSecure: (socket, session, cb) => this.onSecure(socket, session, cb),
      onAuth: (auth, session, cb) => this.onAuth(auth, session, cb),
      onMailFrom: (address, session, cb) => this.onMailFrom(address, session, cb),
      onRcptTo: (address, session, cb) => this.onRcptTo(address, session, cb),
      onData: (stream, session, cb) => this.onData(stream, session, cb),
    });
    setGreetingDelay(this.server, opts.limits.greetingDelay);
    this.sockets.attach(this.server.server);
    this.server.on('error', (err) =>
      opts.logger.warn({ errCode: (err as NodeJS.ErrnoException).code ?? 'ERROR' }, 'smtp connection error'),
    );
  }

  listen(hostPort: string): Promise<{ host: string; port: number }> {
    const idx = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, idx).replace(/^\[|\]$/g, '');
    const port = Number(hostPort.slice(idx + 1));
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.server.removeListener('error', onError);
        this.progressTimer = setInterval(() => this.dropSlowClients(), this.progress.interval).unref();
        const a = this.server.server.address();
        resolve(typeof a === 'object' && a ? { host: a.address, port: a.port } : { host, port });
      });
    });
  }

  /** Stops accepting, lets transactions in flight finish (bounded), then closes. */
  async close(graceMs = 30_000): Promise<void> {
    this.closing = true;
    clearInterval(this.progressTimer);
    this.server.server.close();
    const deadline = Date.now() + graceMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 200))]);
    }
    // Idle sessions are told to come back later instead of waiting for smtp-server's close timeout.
    for (const session of this.sockets.sessions()) this.sockets.closeWith(session, replies.shuttingDown());
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Connections admitted and still open. */
  get connectionCount(): number {
    return this.admission.connections;
  }

  private onConnect(session: SMTPServerSession, cb: (err?: Error | null) => void): void {
    const socket = this.sockets.claim(session);
    // Not expected: then the progress checks skip this session and a DATA timeout only ends the transfer.
    if (!socket) this.opts.logger.warn({ client: session.remoteAddress }, 'socket of the session not found');
    if (this.closing) return cb(replyError(replies.shuttingDown()));
    const ip = session.remoteAddress;
    const trusted = this.opts.trusted.contains(ip);
    const verdict = this.admission.admit(ip, trusted);
    if ('refused' in verdict) {
      this.opts.logger.info({ client: ip, reply: verdict.refused.text }, 'connection refused');
      return cb(replyError(verdict.refused));
    }
    // RFC 3207 / Postfix smtpd_tls_auth_only: a stranger is not offered AUTH before TLS, and AUTH then gets
    // 538 5.7.11 from the command table without a credential ever being read.
    const authAfterTls = this.opts.authRequireTls && !trusted && !session.secure;
    if (authAfterTls) session.disabledCommands = [...this.disabledCommands, 'AUTH'];
    this.state.set(session, { trusted, authFailures: 0, ticket: verdict.ticket, authAfterTls });
    if (!trusted && socket) this.progress.watch(session, () => socket.raw.bytesRead);
    cb();
  }

  private onSecure(
    socket: import('node:net').Socket,
    session: SMTPServerSession,
    cb: (err?: Error | null) => void,
  ): void {
    this.sockets.upgraded(session, socket);
    const st = this.state.get(session);
    if (st?.authAfterTls) {
      st.authAfterTls = false;
      session.disabledCommands = undefined; // the server-wide list again: AUTH is offered now
    }
    cb();
  }

  private onClose(session: SMTPServerSession): void {
    const st = this.state.get(session);
    if (st?.ticket) this.admission.release(st.ticket);
    this.progress.unwatch(session);
    this.sockets.release(session);
  }

  /** Drops strangers that make too little progress, or idle under stress (ProgressWatch). */
  private dropSlowClients(): void {
    for (const { key: session, reply } of this.progress.check(this.admission.underStress())) {
      this.opts.logger.info({ client: session.remoteAddress, reply: reply.text }, 'slow client dropped');
      this.sockets.closeWith(session, reply);
    }
  }

  private onAuth(
    auth: SMTPServerAuthentication,
    session: SMTPServerSession,
    cb: (err: Error | null | undefined, response?: { user?: unknown }) => void,
  ): void {
    const st = this.state.get(session)!;
    if (this.opts.authRequireTls && !session.secure && !st.trusted) {
      return cb(smtpError(538, '5.7.11', 'Encryption required for requested authentication mechanism'));
    }
    const username = auth.username ?? '';
    const attempt = this.authBudget.reserve(session.remoteAddress, username);
    if (!attempt.ok) {
      // Refused without checking the password, so guessing from this address (or on this user) stops for the window.
      const whose = attempt.limitedBy === 'address' ? 'from your address' : 'for this user';
      return cb(smtpError(454, '4.7.0', `Too many failed authentication attempts ${whose}, try again later`));
    }
    const { reservation } = attempt;
    this.opts.users
      .verify(username, auth.password ?? '')
      .then((ok) => {
        if (ok) {
          reservation.succeeded();
          // An authenticated client is known: it leaves the strangers' share and the progress checks.
          if (st.ticket) this.admission.promote(st.ticket);
          this.progress.unwatch(session);
          return cb(null, { user: username });
        }
        reservation.failed();
        st.authFailures++;
        this.opts.logger.warn({ client: session.remoteAddress, failures: st.authFailures }, 'authentication failed');
        if (st.authFailures >= this.opts.limits.maxAuthFailures) {
          return cb(smtpError(421, '4.7.0', 'Too many authentication failures, closing connection'));
        }
        // A growing delay slows down guessing on one connection.
        setTimeout(() => cb(smtpError(535, '5.7.8', 'Authentication credentials invalid')), 250 * st.authFailures);
      })
      .catch(() => {
        reservation.cancel();
        cb(smtpError(454, '4.7.0', 'Temporary authentication failure'));
      });
  }

  private onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void): void {
    const st = this.state.get(session);
    if (!st?.trusted && !session.user) {
      return cb(smtpError(530, '5.7.0', 'Authentication required'));
    }
    if (!envelopeAddressOk(address.address))
      return cb(smtpError(553, '5.1.7', 'Sender address is not a valid mailbox'));
    cb();
  }

  private onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void): void {
    const st = this.state.get(session);
    if (!st?.trusted && !session.user) return cb(smtpError(530, '5.7.0', 'Authentication required'));
    // `%`, `!`, a source route or an '@' in a quoted local part: a server on the way may deliver to the host named
    // inside the address, not to its domain. A guard does not pass ambiguous routing (the adapter marks source
    // routes, which smtp-server strips, and quoted '@' forms, which it would refuse with a bare 501).
    if ((address as { routesElsewhere?: boolean }).routesElsewhere || routesElsewhere(address.address)) {
      return cb(
        smtpError(
          553,
          '5.1.3',
          'Recipient address routes elsewhere (%, !, source route or quoted @); not accepted: use the plain address',
        ),
      );
    }
    if (!address.address || !envelopeAddressOk(address.address))
      return cb(smtpError(553, '5.1.3', 'Recipient address is not a valid mailbox'));
    cb();
  }

  private onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    cb: (err?: Error | null, message?: string) => void,
  ): void {
    const id = newTransactionId();
    const receivedAt = new Date();
    const envelope: Envelope = {
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      rcptTo: dedupe(session.envelope.rcptTo.map((r) => r.address)),
    };
    let early: W | undefined;
    try {
      early = this.opts.onDataStart?.(envelope);
    } catch (err) {
      this.opts.logger.warn(
        { tx: id, errCode: (err as { code?: string }).code ?? 'ERROR' },
        'early start failed; the message goes the ordinary way',
      );
    }
    let done = false;
    const reply = (r: SmtpReply) => {
      if (done) return;
      done = true;
      early?.abandon(); // a no-op once the message was handed on with it
      clearTimeout(timer);
      if (r.code >= 200 && r.code < 300)
        cb(null, r.text); // smtp-server adds 2.6.0
      else cb(replyError(r));
    };
    // Total time allowed for the transfer; the idle timeout covers stalls between packets.
    const timer = setTimeout(() => {
      this.opts.logger.warn({ tx: id, client: session.remoteAddress }, 'DATA timeout');
      done = true;
      early?.abandon();
      this.sockets.closeWith(session, replies.dataTimeout());
      stream.destroy();
    }, this.opts.limits.dataTimeout);

    const work = readData(stream, this.opts.limits.maxSize, this.opts.bareNewline ?? 'normalize')
      .then(async (data) => {
        if (done) return;
        if (data.oversize) return reply(replies.oversize(id, this.opts.limits.maxSize));
        if (data.bareLineEnding) return reply(replies.bareLineEnding(id));
        if (data.bareNewlines > 0)
          this.opts.logger.info({ tx: id, bareNewlines: data.bareNewlines }, 'bare LF line endings normalised to CRLF');
        const message: InboundMessage = {
          id,
          envelope,
          client: {
            remoteAddress: session.remoteAddress,
            heloName: session.hostNameAppearsAs,
            user: typeof session.user === 'string' ? session.user : undefined,
            secure: session.secure,
          },
          raw: data.raw!,
          receivedAt,
        };
        clearTimeout(timer);
        reply(await this.opts.onMessage(message, early));
      })
      .catch((err: unknown) => {
        this.opts.logger.error(
          { tx: id, errCode: (err as { code?: string }).code ?? 'ERROR' },
          'message handling failed',
        );
        reply(replies.scanFailed(id));
      })
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }
}

function dedupe(addresses: string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const k = a.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
