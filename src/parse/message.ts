/**
 * One message (the top-level one, or a message/rfc822 attachment) → segments: subject, every scanned header
 * (header-segments.ts), bodies, links, then each attachment. A nested message's text is all location 'attachment' under its own source prefix
 * ("attachment:fwd.eml/subject", "attachment:fwd.eml/body:text"); its links stay location 'link'.
 */
import type { ParsedMessage, SegmentLocation } from '../core/types.js';
import type { ExtractContext } from './context.js';
import { addHeaderSegments } from './header-segments.js';
import { addressHeader, decodeHeaders, rawHeaders, type AddressHeader } from './headers.js';
import { htmlToText } from './html.js';
import { addLinkSegments, findBareUrls } from './links.js';
import { readMime } from './mime.js';
import { partName } from './names.js';
import type { PartVisitor } from './part.js';

export interface MessageScope {
  /** Prefix for segment sources: '' at the top, "attachment:fwd.eml/" inside a nested message. */
  prefix: string;
  /** Prefix for attachment paths: '' at the top, "fwd.eml/" inside a nested message. */
  path: string;
  /** Containers enclosing this message (0 for the top-level message). */
  depth: number;
}

/** The header part of a ParsedMessage. */
export type MessageHead = Pick<
  ParsedMessage,
  'subject' | 'messageId' | 'from' | 'to' | 'cc' | 'bcc' | 'replyTo' | 'headers'
>;

const ADDRESS_HEADERS = [
  ['from', 'from'],
  ['to', 'to'],
  ['cc', 'cc'],
  ['bcc', 'bcc'],
  ['reply-to', 'replyTo'],
] as const;

/** Reads the message `raw`; each attachment is handed to `visitPart` (attachment.ts extractPart). */
export async function extractMessage(
  ctx: ExtractContext,
  raw: Buffer,
  scope: MessageScope,
  visitPart: PartVisitor,
): Promise<MessageHead> {
  const nested = scope.depth > 0;
  const partSource = nested ? scope.prefix.slice(0, -1) : 'message';
  const mime = await readMime(raw, ctx, () => ctx.takePart(partSource));
  const rawMap = rawHeaders(mime.headerLines);
  const headers = decodeHeaders(rawMap);
  const head: MessageHead = {
    subject: headers.get('subject')?.[0] ?? '',
    from: [],
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    headers,
  };
  const messageId = headers.get('message-id')?.[0];
  if (messageId) head.messageId = messageId;
  const p = scope.prefix;
  const loc = (top: SegmentLocation): SegmentLocation => (nested ? 'attachment' : top);

  ctx.addText(loc('subject'), `${p}subject`, head.subject);
  const parsedAddresses = new Map<string, AddressHeader>();
  for (const [key, field] of ADDRESS_HEADERS) {
    const h = addressHeader(rawMap, key);
    head[field] = h.addresses;
    parsedAddresses.set(key, h);
  }
  addHeaderSegments(ctx, rawMap, headers, { prefix: p, nested }, parsedAddresses);

  if (mime.text) {
    ctx.addText(loc('body'), `${p}body:text`, mime.text);
    addLinkSegments(ctx, findBareUrls(mime.text), p);
  }
  if (mime.html) {
    const h = htmlToText(mime.html);
    ctx.addText(loc('body'), `${p}body:html`, h.text);
    addLinkSegments(ctx, h.urls, p);
  }

  let n = 0;
  for (const att of mime.attachments) {
    n++;
    const contentType = att.contentType.toLowerCase();
    const filename = partName(att.filename, contentType, n);
    const path = `${scope.path}${filename}`;
    if (att.dropped) {
      ctx.addAttachment({ filename, contentType, size: att.size, source: path });
      continue; // reported once as 'part-limit'
    }
    await visitPart(ctx, {
      bytes: att.content,
      filename,
      contentType,
      charset: att.charset,
      path,
      depth: scope.depth,
      size: att.size,
    });
  }
  return head;
}
