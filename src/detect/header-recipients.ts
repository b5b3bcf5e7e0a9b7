/**
 * To/Cc addresses that are envelope recipients are recipients, not data: the exposure check judges them through
 * RecipientInfo.visibleIn. Every other address the message shows (a Cc of a customer who is not in the envelope,
 * Reply-To, Bcc, Resent-*, …) is scanned as data. The parser gives each address header's mailboxes one per
 * line (parse/header-segments.ts); here the lines of the top-level To and Cc segments that are envelope
 * recipients are blanked with spaces of the same length, so offsets of the other findings stay valid.
 */
import { canonicalAddress } from '../core/address.js';
import type { Envelope, TextSegment } from '../core/types.js';

const RECIPIENT_SOURCES = new Set(['header:to', 'header:cc']);

export function envelopeSet(envelope: Envelope): Set<string> {
  const out = new Set<string>();
  for (const r of envelope.rcptTo) out.add((canonicalAddress(r) ?? r.trim()).toLowerCase());
  return out;
}

/** The segment to scan: `seg` itself, or for a top-level To/Cc segment a copy without the envelope recipients. */
export function withoutEnvelopeRecipients(seg: TextSegment, rcpt: ReadonlySet<string>): TextSegment {
  if (seg.location !== 'header' || !RECIPIENT_SOURCES.has(seg.source) || rcpt.size === 0) return seg;
  let changed = false;
  const lines = seg.text.split('\n').map((line) => {
    if (!rcpt.has(line.trim().toLowerCase())) return line;
    changed = true;
    return ' '.repeat(line.length);
  });
  return changed ? { ...seg, text: lines.join('\n') } : seg;
}
