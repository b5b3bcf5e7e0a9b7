/**
 * The MIME read of the common customer-care reply, in one synchronous pass: a message that is one text part
 * (text/plain or text/html), or a multipart/alternative of such parts, in UTF-8 or ASCII, with CRLF line
 * endings, up to 256 KB. Anything else returns null and goes to mailparser (mime.ts).
 *
 * Why: mailparser yields to the event loop between its steps (six turns for a 5 KB reply). Under load, every
 * turn lets other sessions' work in, so a scan that needs about 0.2 ms of CPU took several milliseconds from the
 * end of DATA. The result here is the same as mailparser's for every message it accepts: the same header lines
 * (mailsplit's own header parser reads them), the same transfer decoding (libqp, libbase64), the same
 * joining of the text and HTML parts. test/parse/mime-simple.test.ts compares the two on the SpamAssassin
 * corpus and on generated messages.
 */
import { createRequire } from 'node:module';
import type { HeaderLines } from 'mailparser';
import { needsCharsetSniffing } from './charset.js';

interface SplitNode {
  contentType: string | false;
  charset: string | false;
  encoding: string | false;
  disposition: string | false;
  flowed: boolean;
  multipart: string | false;
  _boundary: Buffer | false;
  headers: false | { mbox: string | false; http: string | false; getList(): HeaderLines };
  addHeaderChunk(line: Buffer): void;
  parseHeaders(): void;
}

const require = createRequire(import.meta.url);
const { MimeNode } = require('@zone-eu/mailsplit') as {
  MimeNode: new (parent: SplitNode | null, config: object) => SplitNode;
};
const libqp = require('libqp') as { decode(input: string | Buffer): Buffer };
const libbase64 = require('libbase64') as { decode(input: string): Buffer };

export interface SimpleMime {
  headerLines: HeaderLines;
  text: string;
  html: string;
}

/** Larger messages go through mailparser, which yields to the event loop while it reads them. */
export const SIMPLE_MAX_BYTES = 256 * 1024;

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const WELL_FORMED_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Every LF is preceded by a CR and every CR followed by an LF. */
function crlfOnly(raw: Buffer): boolean {
  let i = raw.indexOf(0x0a);
  while (i !== -1) {
    if (i === 0 || raw[i - 1] !== 0x0d) return false;
    i = raw.indexOf(0x0a, i + 1);
  }
  let j = raw.indexOf(0x0d);
  while (j !== -1) {
    if (raw[j + 1] !== 0x0a) return false;
    j = raw.indexOf(0x0d, j + 1);
  }
  return true;
}

interface Part {
  node: SplitNode;
  headerLines: HeaderLines;
  bodyStart: number;
}

/** The node whose header block starts at `start` (headers, a blank line, then its body), or null. */
function readHead(raw: Buffer, start: number, limit: number, parent: SplitNode | null): Part | null {
  // a part that starts with its blank line has no headers: mailparser's defaults apply, leave it to mailparser
  if (raw[start] === 0x0d) return null;
  const blank = raw.indexOf(CRLF_CRLF, start);
  if (blank === -1 || blank + 4 > limit) return null;
  const node = new MimeNode(parent, {});
  node.addHeaderChunk(raw.subarray(start, blank + 2));
  node.parseHeaders();
  if (!node.headers || node.headers.mbox || node.headers.http) return null;
  return { node, headerLines: node.headers.getList(), bodyStart: blank + 4 };
}

/** The decoded text of a leaf text part, or null when it is not one this reader takes. */
function leafText(node: SplitNode, body: Buffer): string | null {
  if (node.contentType !== 'text/plain' && node.contentType !== 'text/html') return null;
  if (node.disposition && node.disposition !== 'inline') return null;
  if (node.flowed) return null;
  const declared = node.charset;
  const charset = (declared || 'utf-8').toLowerCase().replace(/[^a-z0-9]+/g, '');
  if (charset !== 'utf8' && charset !== 'ascii' && charset !== 'usascii') return null;
  let bytes: Buffer;
  if (node.encoding === 'base64') {
    // Well-formed base64 only: mailsplit's streaming decoder and a one-shot decode differ on stray padding.
    const b64 = body.toString('latin1').replace(/[\r\n \t]+/g, '');
    if (b64.length % 4 !== 0 || !WELL_FORMED_BASE64.test(b64)) return null;
    bytes = libbase64.decode(b64);
  } else if (node.encoding === 'quoted-printable') bytes = libqp.decode(body);
  else bytes = body;
  // no declared charset and legacy bytes (or a <meta charset>): mailparser's reader sniffs it (mime-charset.ts)
  if (!declared && needsCharsetSniffing(bytes, node.contentType === 'text/html')) return null;
  return bytes.toString().replace(/\r?\n/g, '\n');
}

/** Positions of the delimiter lines of `boundary` after `from`: [line start, line end (after CRLF), closing]. */
function* delimiters(raw: Buffer, from: number, boundary: Buffer): Generator<[number, number, boolean]> {
  let pos = from;
  while (pos < raw.length) {
    let end = raw.indexOf(0x0a, pos);
    end = end === -1 ? raw.length : end + 1;
    // "--boundary" CRLF or "--boundary--" CRLF, nothing else on the line
    const len = end - pos - (raw[end - 1] === 0x0a ? 2 : 0);
    if (
      raw[pos] === 0x2d &&
      raw[pos + 1] === 0x2d &&
      (len === boundary.length + 2 || len === boundary.length + 4) &&
      raw.subarray(pos + 2, pos + 2 + boundary.length).equals(boundary)
    ) {
      if (len === boundary.length + 2) yield [pos, end, false];
      else if (raw[pos + len - 2] === 0x2d && raw[pos + len - 1] === 0x2d) {
        yield [pos, end, true];
        return;
      }
    }
    pos = end;
  }
}

export function readSimpleMime(raw: Buffer): SimpleMime | null {
  if (raw.length > SIMPLE_MAX_BYTES || !crlfOnly(raw)) return null;
  const root = readHead(raw, 0, raw.length, null);
  if (!root) return null;
  const { headerLines } = root;

  if (!root.node.multipart) {
    const text = leafText(root.node, raw.subarray(root.bodyStart));
    if (text === null) return null;
    // mailparser: a lone HTML part gives an empty text; an empty part gives nothing
    return root.node.contentType === 'text/plain'
      ? { headerLines, text, html: '' }
      : { headerLines, text: '', html: text };
  }

  if (root.node.contentType !== 'multipart/alternative' || !root.node._boundary) return null;
  const texts: string[] = [];
  const htmls: string[] = [];
  let partStart = -1;
  let closed = false;
  for (const [lineStart, lineEnd, closing] of delimiters(raw, root.bodyStart, root.node._boundary)) {
    if (partStart === -1 && closing) return null; // a closing delimiter before any part
    if (partStart !== -1) {
      // the CRLF before a delimiter line belongs to the delimiter
      const partEnd = lineStart - 2;
      const part = readHead(raw, partStart, lineStart, root.node);
      // a body that is only the line ending before the delimiter: mailsplit keeps that line ending in some
      // layouts and not in others, so mailparser reads it
      if (!part || part.node.multipart || partEnd <= part.bodyStart) return null;
      const text = leafText(part.node, raw.subarray(part.bodyStart, partEnd));
      if (text === null) return null;
      if (text) (part.node.contentType === 'text/plain' ? texts : htmls).push(text);
    }
    partStart = lineEnd;
    closed = closing;
  }
  if (!closed) return null;
  return { headerLines, text: texts.join('\n'), html: htmls.join('<br/>\n') };
}
