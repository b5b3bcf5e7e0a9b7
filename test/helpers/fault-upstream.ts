/**
 * A scripted upstream SMTP server on a raw socket, for faults smtp-server cannot produce: 421 in the middle of
 * a session (at MAIL, RCPT or after DATA), a connection dropped after the whole message was received (no reply),
 * or a server that greets and then never answers. Counts messages it "received" (final dot seen).
 */
import { createServer, type Server, type Socket } from 'node:net';

export type FaultMode = 'ok' | 'greet421' | 'mail421' | 'rcpt450' | 'data421' | 'dropAfterData' | 'silentAfterGreeting';

export interface FaultUpstream {
  port: number;
  mode: FaultMode;
  /** Messages whose final dot was received, whatever the reply was. */
  received: string[];
  /** Messages answered 250. */
  accepted: string[];
  close(): Promise<void>;
}

export async function startFaultUpstream(mode: FaultMode = 'ok', port = 0): Promise<FaultUpstream> {
  const sockets = new Set<Socket>();
  const state: FaultUpstream = { port: 0, mode, received: [], accepted: [], close: async () => undefined };
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.setEncoding('latin1');
    if (state.mode === 'greet421') return void sock.end('421 4.3.2 Service not available\r\n');
    sock.write('220 fault.test ESMTP\r\n');
    if (state.mode === 'silentAfterGreeting') return;
    let buf = '';
    let inData = false;
    let data = '';
    /** Recipients accepted in this transaction: DATA without one is refused, as real servers do (RFC 5321 3.3). */
    let recipients = 0;
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end === -1) {
            data += buf;
            buf = '';
            return;
          }
          data += buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          inData = false;
          recipients = 0; // the transaction ends with the dot
          state.received.push(data);
          if (state.mode === 'dropAfterData') return void sock.destroy();
          if (state.mode === 'data421') {
            sock.end('421 4.3.0 Service shutting down\r\n');
            return;
          }
          state.accepted.push(data);
          data = '';
          sock.write('250 2.0.0 queued as F' + state.accepted.length + '\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl === -1) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-fault.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
        else if (verb === 'HELO') sock.write('250 fault.test\r\n');
        else if (verb === 'MAIL') {
          if (state.mode === 'mail421') return void sock.end('421 4.3.0 Too busy, closing\r\n');
          recipients = 0;
          sock.write('250 2.1.0 OK\r\n');
        } else if (verb === 'RCPT') {
          if (state.mode === 'rcpt450') sock.write('450 4.2.0 Mailbox busy\r\n');
          else {
            recipients++;
            sock.write('250 2.1.5 OK\r\n');
          }
        } else if (verb === 'DATA') {
          // with PIPELINING the client sends DATA before it has seen the RCPT replies
          if (recipients === 0) {
            sock.write('554 5.5.1 No valid recipients\r\n');
            continue;
          }
          inData = true;
          data = '';
          sock.write('354 go ahead\r\n');
        } else if (verb === 'RSET' || verb === 'NOOP') {
          if (verb === 'RSET') recipients = 0;
          sock.write('250 2.0.0 OK\r\n');
        } else if (verb === 'QUIT') return void sock.end('221 2.0.0 bye\r\n');
        else sock.write('502 5.5.2 not implemented\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  state.port = (server.address() as { port: number }).port;
  state.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return state;
}
