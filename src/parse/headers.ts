/** Header values as decoded strings, and address headers as canonical HeaderAddress lists. */
import { parseAddressHeader, type EmailAddress, type HeaderLines } from 'mailparser';
import { canonicalAddress } from '../core/address.js';
import type { HeaderAddress } from '../core/types.js';
import { binaryToText, decodeWords } from './charset.js';

const CHARSET_PARAM = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/** The charset parameter of the message's own Content-Type header, if any. */
export function contentTypeCharset(lines: HeaderLines): string | undefined {
  const ct = lines.find((l) => l.key === 'content-type');
  return ct ? CHARSET_PARAM.exec(ct.line)?.[1] : undefined;
}

/**
 * Lower-case name → raw values in message order: folding removed, raw 8-bit bytes read as UTF-8, else in the
 * message's Content-Type charset (old clients write raw headers in the body's charset), else windows-1252.
 */
export function rawHeaders(lines: HeaderLines): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const fallback = contentTypeCharset(lines);
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    const raw = colon < 0 ? '' : line.slice(colon + 1);
    const value = binaryToText(raw.replace(/\r?\n(?=[ \t])/g, ''), fallback).trim();
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }
  return map;
}

/** The same map with RFC 2047 encoded words decoded. */
export function decodeHeaders(raw: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, values] of raw) out.set(k, values.map(decodeWords));
  return out;
}

function flatten(list: EmailAddress[], out: HeaderAddress[], groupNames: string[]): void {
  for (const a of list) {
    if (a.group) {
      if (a.name) groupNames.push(a.name);
      flatten(a.group, out, groupNames);
    } else {
      out.push({ address: (a.address && canonicalAddress(a.address)) || '', name: a.name ?? '' });
    }
  }
}

export interface AddressHeader {
  addresses: HeaderAddress[];
  /** Display names and group names, for the header's display-name segment. */
  names: string[];
}

/**
 * Mailboxes of every occurrence of an address header (a repeated To: is not dropped), groups flattened,
 * addresses canonical ('' when one could not be parsed).
 */
export function addressHeader(raw: Map<string, string[]>, key: string): AddressHeader {
  const values = raw.get(key);
  const addresses: HeaderAddress[] = [];
  const groupNames: string[] = [];
  if (values?.length) flatten(parseAddressHeader(values, { decodePunycode: false }).value, addresses, groupNames);
  const names = [...groupNames, ...addresses.map((a) => a.name)].filter((n) => n.trim() !== '');
  return { addresses, names };
}
