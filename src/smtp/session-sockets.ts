/**
 * The socket under each SMTP session, found through public interfaces only: the listening net.Server's
 * 'connection' event gives the socket, onConnect the session (matched by remote address and port), onSecure the
 * TLS socket after STARTTLS. With it the relay can count a client's bytes and close a session with a reply of its
 * own (DATA timeout, slow client, shutdown) without reaching into smtp-server's connection objects.
 */
import { isIPv4 } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { SMTPServerSession } from 'smtp-server';
import type { SmtpReply } from '../core/types.js';

export interface SessionSocket {
  /** The TCP socket; its `bytesRead` counts every byte the client sent, TLS records included. */
  readonly raw: Socket;
  /** Where replies go: the TLS socket after STARTTLS, else the raw one. */
  current: Socket;
}

/** How long a closed session's socket may take to flush the parting reply before it is destroyed. */
const LINGER_MS = 2000;

function plain(address: string | undefined): string {
  const a = (address ?? '').toLowerCase();
  return a.startsWith('::ffff:') && isIPv4(a.slice(7)) ? a.slice(7) : a;
}

export class SessionSockets {
  /** Accepted sockets not yet matched to a session, by remote port. */
  private readonly unclaimed = new Map<number, Socket[]>();
  private readonly live = new Map<SMTPServerSession, SessionSocket>();

  /** Watches the listener; runs before smtp-server's own handler, which may reach onConnect synchronously. */
  attach(server: Server): void {
    server.prependListener('connection', (socket: Socket) => {
      const port = socket.remotePort;
      if (port === undefined) return;
      const list = this.unclaimed.get(port) ?? [];
      list.push(socket);
      this.unclaimed.set(port, list);
      socket.once('close', () => this.forget(port, socket));
    });
  }

  /** Matches the session to its socket (call from onConnect). */
  claim(session: SMTPServerSession): SessionSocket | undefined {
    const list = this.unclaimed.get(session.remotePort);
    if (!list) return undefined;
    // Port and address both: a socket that is not certainly this session's is never handed out (closing the
    // wrong client would be worse than not finding one).
    const want = plain(session.remoteAddress);
    const socket = list.find((s) => plain(s.remoteAddress) === want);
    if (!socket) return undefined;
    this.forget(session.remotePort, socket);
    const entry = { raw: socket, current: socket };
    this.live.set(session, entry);
    return entry;
  }

  get(session: SMTPServerSession): SessionSocket | undefined {
    return this.live.get(session);
  }

  /** The session switched to TLS (call from onSecure). */
  upgraded(session: SMTPServerSession, socket: Socket): void {
    const entry = this.live.get(session);
    if (entry) entry.current = socket;
  }

  release(session: SMTPServerSession): void {
    this.live.delete(session);
  }

  sessions(): SMTPServerSession[] {
    return [...this.live.keys()];
  }

  /** Sends `reply` as the last words of the session and closes it. */
  closeWith(session: SMTPServerSession, reply: SmtpReply): void {
    const entry = this.live.get(session);
    if (!entry) return;
    const { current, raw } = entry;
    if (!current.destroyed && current.writable) current.end(`${reply.code} ${reply.enhanced} ${reply.text}\r\n`);
    setTimeout(() => {
      current.destroy();
      raw.destroy();
    }, LINGER_MS).unref();
  }

  private forget(port: number, socket: Socket): void {
    const list = this.unclaimed.get(port);
    if (!list) return;
    const i = list.indexOf(socket);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) this.unclaimed.delete(port);
  }
}
