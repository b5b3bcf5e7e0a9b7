/**
 * mailparser decodes an inline text/plain or text/html part that declares no charset as UTF-8, replacing every
 * legacy byte with U+FFFD — an HTML body whose charset is only in `<meta charset>`, or an old client's
 * windows-1252 or ISO-2022-JP text, would reach the detector unreadable. This gives such parts a charset label
 * of ours and decodes them with parse/charset.ts decodeUndeclared once the part is complete.
 *
 * It hooks two internal members of mailparser 3.x (createNode, decoder); test/parse/charset.test.ts fails if a
 * mailparser update changes them.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { MailParser } from 'mailparser';
import { decodeUndeclared } from './charset.js';

const UNDECLARED = 'x-postguard-undeclared-';

interface MailparserNode {
  contentType?: string;
  charset?: string;
  isAttachment?: boolean;
}

interface MailparserInternals {
  createNode(node: unknown): MailparserNode;
  decoder: { decodeStream(charset: string): NodeJS.ReadWriteStream };
}

class UndeclaredDecoder extends Transform {
  private readonly chunks: Buffer[] = [];
  constructor(private readonly html: boolean) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.chunks.push(chunk);
    cb();
  }
  override _flush(cb: TransformCallback): void {
    cb(null, Buffer.from(decodeUndeclared(Buffer.concat(this.chunks), this.html), 'utf8'));
  }
}

export function decodeUndeclaredParts(parser: MailParser): void {
  const p = parser as unknown as MailparserInternals;
  if (typeof p.createNode !== 'function' || typeof p.decoder?.decodeStream !== 'function') {
    throw new Error('mailparser internals changed: createNode/decoder');
  }
  const createNode = p.createNode.bind(p);
  p.createNode = (node) => {
    const n = createNode(node);
    if (!n.isAttachment && !n.charset && (n.contentType === 'text/plain' || n.contentType === 'text/html')) {
      n.charset = UNDECLARED + (n.contentType === 'text/html' ? 'html' : 'text');
    }
    return n;
  };
  const decoder = p.decoder;
  p.decoder = {
    decodeStream: (charset) =>
      charset.startsWith(UNDECLARED) ? new UndeclaredDecoder(charset.endsWith('html')) : decoder.decodeStream(charset),
  };
}
