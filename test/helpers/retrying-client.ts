/**
 * An SMTP client that behaves like a real MTA: keeps a session open for several messages, retries a message on
 * 4xx and on dropped or refused connections (with a short back-off), gives up only on 5xx or after a bounded
 * number of attempts. Records every final reply so tests can check "nothing acknowledged with 250 is lost".
 */
import { RawSmtp, type Reply } from './smtp-client.js';

export interface OutMessage {
  messageId: string;
  from: string;
  to: string[];
  /** RFC 5322 message with CRLF line endings (no dot-stuffing needed: lines never start with '.'). */
  data: string;
}

export interface Outcome {
  messageId: string;
  /** Final reply: 250 (accepted), a 5xx, or 0 when the attempts ran out. */
  code: number;
  text: string;
  attempts: number;
  /** Attempts that ended with a dropped/refused connection. */
  dropped: number;
  /** Attempts answered 4xx. */
  temporary: number;
  /** Attempts whose connection dropped after the whole message was sent (no final reply seen). */
  droppedAfterData: number;
}

export interface RetryOptions {
  port: number;
  host?: string;
  localAddress?: string;
  maxAttempts?: number;
  backoffMs?: number;
  replyTimeoutMs?: number;
}

export class RetryingClient {
  private conn: RawSmtp | null = null;

  constructor(private readonly opts: RetryOptions) {}

  private drop(): void {
    this.conn?.close();
    this.conn = null;
  }

  private async session(): Promise<RawSmtp> {
    if (this.conn && !this.conn.closed) return this.conn;
    this.drop();
    const c = await RawSmtp.open(this.opts.port, this.opts.host ?? '127.0.0.1', this.opts.localAddress);
    try {
      const greet = await c.read(10_000);
      if (greet.code !== 220) throw Object.assign(new Error(`greeting ${greet.code}`), { reply: greet });
      const ehlo = await c.cmd('EHLO retrying.client.test');
      if (ehlo.code !== 250) throw Object.assign(new Error(`ehlo ${ehlo.code}`), { reply: ehlo });
    } catch (err) {
      c.close();
      throw err;
    }
    this.conn = c;
    return c;
  }

  /** One attempt. Throws on a dropped connection; returns the reply that ended the transaction otherwise. */
  private async attempt(m: OutMessage, state: { dataSent: boolean }): Promise<Reply> {
    const c = await this.session();
    const mf = await c.cmd(`MAIL FROM:<${m.from}>`);
    if (mf.code !== 250) return this.abort(c, mf);
    for (const t of m.to) {
      const r = await c.cmd(`RCPT TO:<${t}>`);
      if (r.code !== 250) return this.abort(c, r);
    }
    const d = await c.cmd('DATA');
    if (d.code !== 354) return this.abort(c, d);
    c.write(m.data.endsWith('\r\n') ? m.data + '.\r\n' : m.data + '\r\n.\r\n');
    state.dataSent = true;
    return c.read(this.opts.replyTimeoutMs ?? 60_000);
  }

  private async abort(c: RawSmtp, r: Reply): Promise<Reply> {
    if (r.code === 421) this.drop();
    else await c.cmd('RSET').catch(() => this.drop());
    return r;
  }

  async send(m: OutMessage): Promise<Outcome> {
    const max = this.opts.maxAttempts ?? 60;
    const out: Outcome = {
      messageId: m.messageId,
      code: 0,
      text: '',
      attempts: 0,
      dropped: 0,
      temporary: 0,
      droppedAfterData: 0,
    };
    while (out.attempts < max) {
      out.attempts++;
      const state = { dataSent: false };
      try {
        const r = await this.attempt(m, state);
        out.text = r.text;
        if (r.code === 250) {
          out.code = 250;
          return out;
        }
        if (r.code >= 500) {
          out.code = r.code;
          return out;
        }
        out.temporary++;
        if (r.code === 421) this.drop();
      } catch {
        out.dropped++;
        if (state.dataSent) out.droppedAfterData++;
        this.drop();
      }
      await new Promise((r) => setTimeout(r, (this.opts.backoffMs ?? 100) * Math.min(out.attempts, 10)));
    }
    return out;
  }

  close(): void {
    if (this.conn && !this.conn.closed) this.conn.write('QUIT\r\n');
    this.drop();
  }
}

/** Runs `clients` concurrent RetryingClients over the messages (each takes the next unsent one). */
export async function sendAll(
  messages: OutMessage[],
  clients: number,
  opts: RetryOptions,
  onOutcome?: (o: Outcome) => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new RetryingClient(opts);
      try {
        while (next < messages.length) {
          const m = messages[next++]!;
          const o = await client.send(m);
          outcomes.push(o);
          onOutcome?.(o);
        }
      } finally {
        client.close();
      }
    }),
  );
  return outcomes;
}

export function messageIdOf(raw: Buffer | string): string | undefined {
  const s = typeof raw === 'string' ? raw : raw.toString('latin1');
  const head = s.slice(0, Math.max(0, s.indexOf('\r\n\r\n')) || s.length);
  return /^Message-ID:\s*<([^>\r\n]+)>/im.exec(head)?.[1];
}
