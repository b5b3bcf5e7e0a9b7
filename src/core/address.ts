/**
 * The one canonical address parser, used for the envelope (MAIL FROM / RCPT TO) and for message headers, so the
 * decision is made on exactly the addresses that are delivered to.
 *
 * Canonical form: `local@domain`, lower-cased, domain in ASCII (IDNA/punycode), no angle brackets, no display
 * name, no trailing dot on the domain. Quoted local parts are kept with their quotes (so `"a@b"@c.com` stays a
 * mailbox at c.com and can never be mistaken for one at b).
 */
import { domainToASCII } from 'node:url';
import { RecentMap } from './recent.js';

export interface ParsedAddress {
  /** Canonical `local@domain`. */
  address: string;
  local: string;
  /** ASCII (punycode) domain, lower-case. */
  domain: string;
}

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;
const PLAIN_LDH = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
const NON_ASCII = /[^ -~\t\r\n]/; // beyond printable ASCII (controls are refused before it is used)

/** Finds the `@` that separates local part and domain, honouring a quoted local part. */
function splitAt(addr: string): number {
  if (addr.startsWith('"')) {
    let i = 1;
    while (i < addr.length) {
      const c = addr[i];
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '"') break;
      i++;
    }
    if (i >= addr.length) return -1; // unterminated quote
    return addr[i + 1] === '@' ? i + 1 : -1;
  }
  const at = addr.lastIndexOf('@');
  // An unquoted local part must not itself contain '@'.
  return at > 0 && addr.indexOf('@') === at ? at : -1;
}

/**
 * Parses one mailbox (`user@example.com`, `<user@example.com>`). Returns null for anything that is not a single,
 * complete mailbox: empty, control characters (CR/LF injection), missing or bad domain, source routes, lists.
 */
export function parseAddress(input: string): ParsedAddress | null {
  let s = input.trim();
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1).trim();
  if (!s || s.length > 320 || CONTROL.test(s)) return null;
  if (s.startsWith('@')) return null; // source route (@a,@b:user@c) — refused rather than guessed
  const at = splitAt(s);
  if (at <= 0) return null;
  const local = s.slice(0, at);
  let domain = s.slice(at + 1).replace(/\.$/, '');
  if (!local || local.length > 64 || !domain) return null;
  if (!local.startsWith('"') && /[\s<>(),;:\\[\]]/.test(local)) return null;
  if (domain.startsWith('[') && domain.endsWith(']')) {
    // address literal
    if (!/^\[(?:IPv6:)?[0-9a-fA-F.:]+\]$/.test(domain)) return null;
    domain = domain.toLowerCase();
  } else {
    if (/[\s<>(),;:\\"@[\]]/.test(domain)) return null;
    const lower = domain.toLowerCase();
    // Plain LDH names (no punycode label, a last label that is not a number) are their own IDNA form: skip the
    // UTS #46 pass, which costs ~10x the rest of the parse (the directory import canonicalises every e-mail here).
    const ascii = PLAIN_LDH.test(lower) && !lower.includes('xn--') ? lower : domainToASCII(lower);
    if (!ascii || !ascii.includes('.') || ascii.split('.').some((l) => !l || l.length > 63)) return null;
    domain = ascii;
  }
  // Unicode local parts (SMTPUTF8) in NFC, so a composed and a decomposed `ü` are one mailbox.
  const canonicalLocal = NON_ASCII.test(local) ? local.normalize('NFC').toLowerCase() : local.toLowerCase();
  return { address: `${canonicalLocal}@${domain}`, local: canonicalLocal, domain };
}

/**
 * Canonical forms of recent inputs: a message's envelope and header addresses are canonicalised several times
 * on its way (headers, recipients, decision context, first-time memory), and a helpdesk sends from the same few
 * addresses all day. Bounded; strings only, so no caller can change a cached result.
 */
const canonicalMemo = new RecentMap<string, string | null>(2048);

/** Canonical address string or null. */
export function canonicalAddress(input: string): string | null {
  const known = canonicalMemo.get(input);
  if (known !== undefined) return known;
  const address = parseAddress(input)?.address ?? null;
  canonicalMemo.set(input, address);
  return address;
}

/**
 * True when a local part asks the receiving server to route the mail on: `%` (the "percent hack",
 * `user%other.example@relay`), `!` (UUCP bang paths, `other.example!user@relay`) or an `@` inside a quoted local
 * part (`"user@other.example"@relay`). Servers that honour such forms deliver to the host named in the local
 * part, not to the domain after the last `@`, so such an address is never internal.
 */
export function localRoutesElsewhere(local: string): boolean {
  return local.includes('%') || local.includes('!') || local.includes('@');
}

/**
 * True when an address (raw or canonical, with or without angle brackets) routes elsewhere: a source route
 * (`@a.example,@b.example:user@c.example`) or a local part that does (see localRoutesElsewhere). Envelope
 * recipients of this form are refused at RCPT (553 5.1.3); in headers they are external, never internal.
 */
export function routesElsewhere(input: string): boolean {
  let s = input.trim();
  if (s.startsWith('<')) s = s.slice(1).trimStart();
  if (s.startsWith('@')) return true; // source route
  const at = s.startsWith('"') ? splitAt(s) : s.lastIndexOf('@');
  const local = at > 0 ? s.slice(0, at) : s;
  return localRoutesElsewhere(local);
}

/**
 * True when the address belongs to one of the organisation's own domains (canonical, lower-case) and does not
 * route elsewhere. Used for envelope recipients and for addresses seen in headers alike.
 */
export function isInternalAddress(address: string, internalDomains: readonly string[]): boolean {
  if (routesElsewhere(address)) return false;
  const domain = domainOf(address);
  return domain !== '' && domainMatches(domain, internalDomains);
}

/** Domain part of a canonical address ('' when there is none). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1);
}

/** True when `domain` equals one of `domains` or is a subdomain of one. Both sides canonical (ASCII, lower). */
export function domainMatches(domain: string, domains: readonly string[]): boolean {
  return domains.some((d) => domain === d || domain.endsWith('.' + d));
}

/** Masks an address for logs: `j•••@example.com` (external addresses are never logged in full). */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '•••';
  const local = address.slice(0, at);
  return `${local.slice(0, 1)}•••@${address.slice(at + 1)}`;
}
