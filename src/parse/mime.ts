/**
 * One MIME message → headers, the inline text and HTML bodies, and the attachments' decoded bytes, using
 * mailparser's streaming parser with every presentation feature it would spend time on turned off (linkify,
 * text↔HTML conversion, cid: image inlining, checksums). Embedded message/rfc822 parts stay attachments so they
 * can be parsed on their own, with their own source path.
 */
import { MailParser, type AttachmentStream, type HeaderLines, type Headers, type MailParserOptions, type MessageText } from 'mailparser';
import type { ExtractContext } from './context.js';

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
  headers: Headers;
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

/**
 * Parses `raw`; `takePart` decides whether an attachment is kept (false once the part limit is reached — its
 * bytes are then read and discarded). Rejects with the parser's error or ExtractTimeout.
 */
export function readMime(raw: Buffer, ctx: ExtractContext, takePart: () => boolean): Promise<MimeMessage> {
  const parser = new MailParser(OPTIONS);
  const msg: MimeMessage = { headers: new Map(), headerLines: [], text: '', html: '', attachments: [] };
  const done = new Promise<MimeMessage>((resolve, reject) => {
    let reading = false;
    const onAttachment = (att: AttachmentStream): void => {
      const keep = takePart();
      const chunks: Buffer[] = [];
      let size = 0;
      att.content.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (keep) chunks.push(chunk);
      });
      att.content.on('end', () => {
        msg.attachments.push({
          content: keep ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)) : Buffer.alloc(0),
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
        const data = parser.read() as AttachmentStream | MessageText | null;
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
    parser.on('headers', (h: Headers) => {
      msg.headers = h;
    });
    parser.on('headerLines', (lines: HeaderLines) => {
      msg.headerLines = lines;
    });
    parser.on('readable', () => {
      if (!reading) read();
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(msg));
  });
  parser.end(raw);
  return ctx.race(done).catch((err: unknown) => {
    parser.destroy();
    throw err;
  });
}
