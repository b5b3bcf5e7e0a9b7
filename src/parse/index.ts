/**
 * parse/: a raw RFC 5322 message → the text segments in which customer data can hide (subject, display names,
 * bodies, links, attachment text), the header addresses, and every part that could not be read. Never throws
 * for bad content: anything unreadable becomes an UnscannablePart, so the decision can fail closed.
 */
import type { ParsedMessage } from '../core/types.js';
import { extractPart } from './attachment.js';
import { ExtractContext, ExtractTimeout } from './context.js';
import { errorKind } from './extract/result.js';
import { resolveLimits, type ParseLimits } from './limits.js';
import { extractMessage } from './message.js';

export { DEFAULT_PARSE_LIMITS, resolveLimits, type ParseLimits } from './limits.js';
export { htmlToText } from './html.js';
export { splitUrl, findBareUrls } from './links.js';

export async function parseMessage(raw: Buffer, opts?: Partial<ParseLimits>): Promise<ParsedMessage> {
  const ctx = new ExtractContext(resolveLimits(opts));
  const parsed: ParsedMessage = {
    subject: '',
    from: [],
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    headers: new Map(),
    segments: ctx.segments,
    attachments: ctx.attachments,
    unscannable: ctx.unscannable,
  };
  try {
    const head = await extractMessage(ctx, raw, { prefix: '', path: '', depth: 0 }, extractPart);
    Object.assign(parsed, head);
  } catch (err) {
    if (err instanceof ExtractTimeout)
      ctx.addUnscannable('message', 'timeout', 'time limit reached while parsing MIME');
    else ctx.addUnscannable('message', 'parse-error', `mime: ${errorKind(err)}`);
  }
  ctx.closed = true;
  return parsed;
}
