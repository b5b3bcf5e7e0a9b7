/**
 * Envelope recipients → RecipientInfo: canonical address, internal or not, the customers whose email column
 * holds the address, and where the message shows it (To, Cc, or only the envelope = Bcc).
 *
 * An address that routes elsewhere (`%`, `!`, a source route, a quoted local part holding `@`) is never internal,
 * whatever its last domain says; the SMTP front refuses such recipients at RCPT, this is the second line for the
 * paths that do not pass it (offline scan, a relay library user).
 */
import { canonicalAddress, domainOf, isInternalAddress, routesElsewhere } from '../core/address.js';
import type { Envelope, ParsedMessage, RecipientInfo } from '../core/types.js';
import type { DirectoryView } from '../directory/directory.js';
import { normalizeEmail } from '../directory/normalize.js';

export function resolveRecipients(
  parsed: ParsedMessage,
  envelope: Envelope,
  directory: DirectoryView,
  internalDomains: readonly string[],
): RecipientInfo[] {
  const internal = internalDomains.map((d) => d.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean);
  const to = new Set(parsed.to.map((a) => a.address).filter(Boolean));
  const cc = new Set(parsed.cc.map((a) => a.address).filter(Boolean));
  const out: RecipientInfo[] = [];
  const seen = new Set<string>();
  for (const rcpt of envelope.rcptTo) {
    const address = canonicalAddress(rcpt) ?? rcpt.trim().toLowerCase();
    if (seen.has(address)) continue;
    seen.add(address);
    const domain = domainOf(address);
    const email = normalizeEmail(address);
    out.push({
      address,
      domain,
      internal: !routesElsewhere(rcpt) && isInternalAddress(address, internal),
      customers: email ? [...directory.lookup('email', email)] : [],
      visibleIn: to.has(address) ? 'to' : cc.has(address) ? 'cc' : 'bcc',
    });
  }
  return out;
}
