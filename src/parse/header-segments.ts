/**
 * Every header a recipient receives → text segments (location 'header', source `header:<name>`: the header's
 * name only, never its value). Encoded words are decoded (RFC 2047) and raw 8-bit values read in their charset
 * (headers.ts), so another customer's email in `Cc:`, an order id in `X-Ticket:`, a phone in `Keywords:` or a
 * name in `Comments:` is scanned like body text. URLs in header values (`List-Unsubscribe: <https://…>`) are
 * also link segments, so the links rule judges them like links in the body.
 *
 * Address headers (To, Cc, Bcc, From, Reply-To, Sender, Resent-*, …) give two segments: `header:<name>` with the
 * mailbox addresses, one per line, and `header:<name>:display-name` with the display and group names. The
 * detector leaves out To/Cc addresses that are envelope recipients (detect/header-recipients.ts): those are
 * recipients, judged by the exposure check; every other address shown is data.
 *
 * Skipped headers (SKIP_HEADERS) carry no human-written data, or are trace/transport fields that mail servers
 * add or replace on the way, or are postguard's own:
 *   - Subject: scanned on its own as location 'subject'.
 *   - Received, X-Received, Return-Path, Received-SPF, Authentication-Results, ARC-*, DKIM-Signature,
 *     DomainKey-Signature, X-Google-DKIM-Signature, X-Google-Smtp-Source, X-Gm-Message-State: trace and
 *     signatures (hostnames, IPs, hashes); Return-Path is rewritten from MAIL FROM by the final server.
 *   - Message-ID, In-Reply-To, References, Resent-Message-ID, Thread-Index: machine-made identifiers.
 *   - Date, Resent-Date, MIME-Version, Content-Type, Content-Transfer-Encoding, Content-ID, Content-Length,
 *     Content-Language, Content-MD5: format of the top-level part (a file name in Content-Type is scanned as
 *     the attachment's name).
 *   - X-Postguard-*: ours.
 * Everything else is scanned, including Bcc: the relay forwards the message's bytes unchanged, so a Bcc header
 * a client left in the message reaches the upstream, and whether it strips it is not ours to assume.
 * Inside a forwarded message (message/rfc822) the same headers are scanned as location 'attachment'.
 */
import type { SegmentLocation } from '../core/types.js';
import type { ExtractContext } from './context.js';
import { addressHeader, type AddressHeader } from './headers.js';
import { addLinkSegments, findBareUrls } from './links.js';

export const SKIP_HEADERS: ReadonlySet<string> = new Set([
  'subject',
  'received',
  'x-received',
  'return-path',
  'received-spf',
  'authentication-results',
  'dkim-signature',
  'domainkey-signature',
  'x-google-dkim-signature',
  'x-google-smtp-source',
  'x-gm-message-state',
  'message-id',
  'in-reply-to',
  'references',
  'resent-message-id',
  'thread-index',
  'date',
  'resent-date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-length',
  'content-language',
  'content-md5',
]);

const SKIP_PREFIXES = ['arc-', 'x-postguard-'];

/** Headers whose value is a list of mailboxes (RFC 5322 and common extensions). */
export const ADDRESS_HEADER_NAMES: ReadonlySet<string> = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'sender',
  'resent-from',
  'resent-sender',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'delivered-to',
  'x-original-to',
  'x-forwarded-to',
  'return-receipt-to',
  'disposition-notification-to',
  'errors-to',
  'mail-followup-to',
  'mail-reply-to',
]);

export function scannedHeader(name: string): boolean {
  if (SKIP_HEADERS.has(name)) return false;
  for (const p of SKIP_PREFIXES) if (name.startsWith(p)) return false;
  return true;
}

/** Header names are message data too: bounded, control characters removed, for segment sources. */
function safeHeaderName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\x00-\x20\x7f]/g, '').slice(0, 64);
}

export interface HeaderScope {
  /** Segment source prefix ('' at the top, "attachment:fwd.eml/" inside a nested message). */
  prefix: string;
  nested: boolean;
}

/**
 * Adds the header segments of one message. `addresses` gives the parsed address headers already read (by name);
 * others are parsed here.
 */
export function addHeaderSegments(
  ctx: ExtractContext,
  raw: Map<string, string[]>,
  decoded: Map<string, string[]>,
  scope: HeaderScope,
  addresses: Map<string, AddressHeader>,
): void {
  const p = scope.prefix;
  const loc = (top: SegmentLocation): SegmentLocation => (scope.nested ? 'attachment' : top);
  for (const [key, values] of decoded) {
    if (!scannedHeader(key)) continue;
    const name = safeHeaderName(key);
    if (!name) continue;
    const text = values.join('\n');
    if (scope.nested) {
      // Inside a forwarded message every header, addresses and names alike, is content.
      ctx.addText('attachment', `${p}header:${name}`, text);
    } else if (ADDRESS_HEADER_NAMES.has(key)) {
      const h = addresses.get(key) ?? addressHeader(raw, key);
      const list = h.addresses.map((a) => a.address).filter(Boolean);
      // An address the parser could not read is scanned as written.
      if (h.addresses.some((a) => a.address === '')) list.push(text);
      ctx.addText('header', `header:${name}`, list.join('\n'));
      if (h.names.length) ctx.addText('header', `header:${name}:display-name`, h.names.join('\n'));
    } else {
      ctx.addText(loc('header'), `${p}header:${name}`, text);
    }
    if (text.includes('://')) addLinkSegments(ctx, findBareUrls(text), p);
  }
}
