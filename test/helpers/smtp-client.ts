/**
 * A raw SMTP client over a real socket: writes exactly the bytes given (so tests can send bare LFs, pipelined
 * commands or malformed input) and reads complete replies.
 */
import { connect, type Socket } from 'node:net';

export interface Reply {
  code: number;
  text: string;
}

export class RawSmtp {
  private buf = '';
  private waiting: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawSmtp> {
    const socket = connect({ port, host, localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const c = new RawSmtp(socket);
    return c;
  }

  /** Reads one complete (possibly multi-line) reply. */
  async read(timeoutMs = 10_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(?:\d{3}-[^\r\n]*\r\n)*(\d{3}) ([^\r\n]*)\r\n/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        return { code: Number(m[1]), text: m[0].trimEnd() };
      }
      if (this.closed) throw new Error(`connection closed; pending: ${JSON.stringify(this.buf)}`);
      if (Date.now() > deadline) throw new Error(`timeout waiting for reply; pending: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 100);
      });
      this.waiting = null;
    }
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async cmd(line: string): Promise<Reply> {
    this.write(line + '\r\n');
    return this.read();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Greeting + EHLO + MAIL + RCPTs + DATA + body; returns the final reply. `body` is sent as given, then the terminating dot line. */
export async function sendRaw(
  port: number,
  opts: { from: string; to: string[]; body: string | Buffer; ehlo?: string; smtputf8?: boolean },
): Promise<Reply> {
  const c = await RawSmtp.open(port);
  try {
    await c.read();
    await c.cmd(`EHLO ${opts.ehlo ?? 'client.test'}`);
    const mf = await c.cmd(`MAIL FROM:<${opts.from}>${opts.smtputf8 ? ' SMTPUTF8' : ''}`);
    if (mf.code !== 250) return mf;
    for (const t of opts.to) {
      const r = await c.cmd(`RCPT TO:<${t}>`);
      if (r.code !== 250) return r;
    }
    const d = await c.cmd('DATA');
    if (d.code !== 354) return d;
    c.write(opts.body);
    const b = Buffer.isBuffer(opts.body) ? opts.body.toString('latin1') : opts.body;
    c.write(b.endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n');
    const final = await c.read(30_000);
    await c.cmd('QUIT').catch(() => undefined);
    return final;
  } finally {
    c.close();
  }
}

/** SMTP transparency (RFC 5321 4.5.2): a line starting with "." gets another one. */
export function dotStuff(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/(^|\r\n)\./g, '$1..'), 'latin1');
}
