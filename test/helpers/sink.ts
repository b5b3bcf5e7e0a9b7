/**
 * A real SMTP server (smtp-server) standing in for the upstream mail server, with faults on demand.
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface SunkMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

export interface SinkFaults {
  /** Reply to the greeting/connection with this code (e.g. 421). */
  connectCode?: number;
  /** Refuse these recipients with 550 (or `rcptCode`). */
  refuseRcpt?: string[];
  rcptCode?: number;
  /** Answer DATA with this code instead of 250. */
  dataCode?: number;
  /** Wait this long before answering DATA. */
  dataDelayMs?: number;
}

export interface Sink {
  port: number;
  url: string;
  messages: SunkMessage[];
  faults: SinkFaults;
  /** Resolves when at least n messages arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<SunkMessage[]>;
  close(): Promise<void>;
}

function err(code: number, text: string): Error & { responseCode: number } {
  const e = new Error(text) as Error & { responseCode: number };
  e.responseCode = code;
  return e;
}

export async function startSink(faults: SinkFaults = {}, opts: { port?: number } = {}): Promise<Sink> {
  const messages: SunkMessage[] = [];
  const waiters: (() => void)[] = [];
  const state: SinkFaults = faults;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 200 * 1024 * 1024,
    onConnect(_s: SMTPServerSession, cb) {
      if (state.connectCode) return cb(err(state.connectCode, 'Service not available'));
      cb();
    },
    onRcptTo(address, _s, cb) {
      if (state.refuseRcpt?.includes(address.address)) return cb(err(state.rcptCode ?? 550, 'No such user'));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const finish = () => {
          if (state.dataCode)
            return cb(err(state.dataCode, state.dataCode >= 500 ? 'Message rejected' : 'Try again later'));
          messages.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          waiters.splice(0).forEach((w) => w());
          cb(null, 'queued as SINK' + messages.length);
        };
        if (state.dataDelayMs) setTimeout(finish, state.dataDelayMs);
        else finish();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    faults: state,
    async waitFor(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`sink: expected ${n} messages, got ${messages.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
