/**
 * SMTP replies (RFC 5321 §4.2) from the bytes an upstream sends: `ddd-text` continuation lines and a final
 * `ddd text` line make one reply. Pipelined replies that arrive in one packet come out together, in order.
 */
import { StringDecoder } from 'node:string_decoder';
import { UpstreamError, UpstreamErrorCodes } from './errors.js';

export interface SmtpResponse {
  code: number;
  /** Text of every line without the code, in order (the EHLO keywords, or one human-readable line). */
  lines: string[];
  /** The whole reply as the server wrote it, lines joined with a space (logs only). */
  text: string;
}

/** A reply line longer than this, or a reply of more lines, is not SMTP (RFC 5321 allows 512 octets). */
const MAX_LINE = 4096;
const MAX_LINES = 200;

export class ReplyParser {
  private pending = '';
  private lines: string[] = [];
  // A StringDecoder keeps a UTF-8 character split across two chunks whole (chunk.toString() made it two U+FFFD).
  private decoder = new StringDecoder('utf8');

  /** Feeds received bytes; returns the replies they completed. Throws UpstreamError(EPROTOCOL) on garbage. */
  push(chunk: Buffer): SmtpResponse[] {
    const data = this.pending + this.decoder.write(chunk);
    const out: SmtpResponse[] = [];
    let start = 0;
    for (;;) {
      const nl = data.indexOf('\n', start);
      if (nl === -1) break;
      const line = data.charCodeAt(nl - 1) === 13 ? data.slice(start, nl - 1) : data.slice(start, nl);
      start = nl + 1;
      const reply = this.line(line);
      if (reply) out.push(reply);
    }
    this.pending = start === 0 ? data : data.slice(start);
    if (this.pending.length > MAX_LINE)
      throw new UpstreamError(UpstreamErrorCodes.PROTOCOL, 'upstream reply line too long');
    return out;
  }

  private line(line: string): SmtpResponse | null {
    const code = replyCode(line);
    const sep = line.charCodeAt(3);
    if (code < 0 || (line.length > 3 && sep !== 32 && sep !== 45) || line.length > MAX_LINE) {
      throw new UpstreamError(UpstreamErrorCodes.PROTOCOL, 'upstream sent a line that is not an SMTP reply');
    }
    const text = line.slice(4);
    if (sep === 45) {
      if (this.lines.length >= MAX_LINES)
        throw new UpstreamError(UpstreamErrorCodes.PROTOCOL, 'upstream reply has too many lines');
      this.lines.push(text);
      return null;
    }
    const lines = this.lines;
    lines.push(text);
    this.lines = [];
    return { code, lines, text: lines.length === 1 ? line : lines.map((l) => `${code} ${l}`).join(' ') };
  }
}

/** The three-digit code at the start of a reply line (2xx–5xx), or -1. */
function replyCode(line: string): number {
  if (line.length < 3) return -1;
  const a = line.charCodeAt(0) - 48;
  const b = line.charCodeAt(1) - 48;
  const c = line.charCodeAt(2) - 48;
  if (a < 2 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}
