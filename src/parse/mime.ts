/**
 * One MIME message → headers, the inline text and HTML bodies, and the attachments' decoded bytes. A simple
 * text-only message is read in one synchronous pass (mime-simple.ts); every other one with
 * mailparser's streaming parser, with every presentation feature it would spend time on turned off (linkify,
 * text↔HTML conversion, cid: image inlining, checksums). Embedded message/rfc822 parts stay attachments so they
 * can be parsed on their own, with their own source path.
 */
import { MailParser, type AttachmentStream, type HeaderLines, type Headers, type MailParserOptions } from 'mailparser';
import { ExtractTimeout, type ExtractContext } from './context.js';
import { decodeUndeclaredParts } from './mime-charset.js';
import { readSimpleMime } from './mime-simple.js';
import { isMediaHead } from './sniff.js';

export interface MimeAttachment {
  content: Buffer;
  filename?: string;
  contentType: string;
  charset?: string;
  size: number;
  /** Not kept because the message's part limit was reached. */
  dropped: boolean;
}

export interface MimeMessage {
  headerLines: HeaderLines;
  text: string;
  html: string;
  attachments: MimeAttachment[];
}

const OPTIONS: MailParserOptions & { ignoreEmbedded: boolean } = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  checksumAlgo: false,
  ignoreEmbedded: true,
};

function charsetOf(headers: Headers): string | undefined {
  const ct = headers.get('content-type');
  const params = ct && typeof ct === 'object' && !Array.isArray(ct) ? (ct as { params?: unknown }).params : undefined;
  const cs = params && typeof params === 'object' ? (params as Record<string, unknown>).charset : undefined;
  return typeof cs === 'string' ? cs : undefined;
}

const FEED_CHUNK = 256 * 1024;

/** Writes the message in slices, honouring backpressure, so the splitter never holds the whole body in flight. */
function feed(parser: MailParser, raw: Buffer): void {
  let off = 0;
  const next = (): void => {
    while (off < raw.length) {
      const end = Math.min(off + FEED_CHUNK, raw.length);
      const ok = parser.write(raw.subarray(off, end));
      off = end;
      if (!ok) {
        parser.once('drain', next);
        return;
      }
    }
    parser.end();
  };
  if (raw.length <= FEED_CHUNK) parser.end(raw);
  else next();
}

/**
 * Parses `raw`; `takePart` decides whether an attachment is kept (false once the part limit is reached — its
 * bytes are then read and discarded). Rejects with the parser's error or ExtractTimeout.
 */
export function readMime(raw: Buffer, ctx: ExtractContext, takePart: () => boolean): Promise<MimeMessage> {
  // a message with no time left is reported, not read, by either reader
  if (ctx.expired()) return Promise.reject(new ExtractTimeout());
  const simple = readSimpleMime(raw);
  return simple ? Promise.resolve({ ...simple, attachments: [] }) : readWithMailparser(raw, ctx, takePart);
}

/** The same read with mailparser, for every message the synchronous reader does not take. */
export function readWithMailparser(raw: Buffer, ctx: ExtractContext, takePart: () => boolean): Promise<MimeMessage> {
  const parser = new MailParser(OPTIONS);
  decodeUndeclaredParts(parser);
  const msg: MimeMessage = { headerLines: [], text: '', html: '', attachments: [] };
  const done = new Promise<MimeMessage>((resolve, reject) => {
    let reading = false;
    const onAttachment = (att: AttachmentStream): void => {
      const keep = takePart();
      const chunks: Buffer[] = [];
      let size = 0;
      // Media recognised by its first bytes has no text to extract: only its head is kept, not a second copy.
      let media = false;
      att.content.on('data', (chunk: Buffer) => {
        if (size === 0 && isMediaHead(chunk)) media = true;
        size += chunk.length;
        if (keep && (!media || chunks.length === 0)) chunks.push(chunk);
      });
      att.content.on('end', () => {
        msg.attachments.push({
          content: !keep ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
          filename: att.filename,
          contentType: att.contentType,
          charset: charsetOf(att.headers),
          size,
          dropped: !keep,
        });
        att.release?.();
        read();
      });
    };
    const read = (): void => {
      reading = true;
      for (;;) {
        const data = parser.read();
        if (data === null) break;
        if (data.type === 'attachment') {
          onAttachment(data);
          return; // resumed by the attachment's 'end'
        }
        msg.text = data.text ?? '';
        msg.html = data.html ?? '';
      }
      reading = false;
    };
    parser.on('headerLines', (lines: HeaderLines) => {
      msg.headerLines = lines;
    });
    parser.on('readable', () => {
      if (!reading) read();
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(msg));
  });
  feed(parser, raw);
  return ctx.race(done).catch((err: unknown) => {
    parser.destroy();
    throw err;
  });
}
