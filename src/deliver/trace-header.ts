/** The trace header postguard adds to every message it passes on (RFC 5321 §4.4 Received line). */

export interface TraceInfo {
  id: string;
  hostname: string;
  heloName?: string;
  remoteAddress: string;
  secure: boolean;
  authenticated: boolean;
  date?: Date;
}

function clean(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, '').slice(0, 255) || 'unknown';
}

export function traceHeader(t: TraceInfo): string {
  const proto = `ESMTP${t.secure ? 'S' : ''}${t.authenticated ? 'A' : ''}`;
  const date = (t.date ?? new Date()).toUTCString().replace('GMT', '+0000');
  return `Received: from ${clean(t.heloName ?? 'unknown')} ([${clean(t.remoteAddress)}])\r\n\tby ${clean(t.hostname)} (postguard) with ${proto} id ${t.id};\r\n\t${date}\r\n`;
}

/** Prepends header lines (each ending in CRLF) to the raw message; the original bytes follow unchanged. */
export function prependHeaders(raw: Buffer, headerLines: string): Buffer {
  return Buffer.concat([Buffer.from(headerLines, 'utf8'), raw]);
}

/** Reads the transaction id back from our Received line (tests, console). */
export function traceIdOf(raw: Buffer | string): string | null {
  const head = raw.toString('latin1', 0, Math.min(raw.length, 4096));
  const m = /by \S+ \(postguard\) with \w+ id ([0-9A-Z]+);/.exec(head);
  return m ? m[1]! : null;
}
