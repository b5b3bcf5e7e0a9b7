/**
 * IBANs in text (ISO 13616), as people and systems print them: compact (`DE89370400440532013000`), in groups of
 * four (`DE89 3704 0044 0532 0130 00`), lower or mixed case, groups separated by spaces (also NBSP, thin and
 * narrow spaces), dashes or dots, inside URL query values (`iban=DE89…`), and a grouped IBAN wrapped once onto
 * the next line (plain-text wrapping at 72–78 columns, also in quoted replies: `> 0130 00`).
 *
 * Linear in the text: a candidate starts only at a word that begins with two letters naming an IBAN country and
 * two digits; the following ASCII letter/digit groups are joined until the country's IBAN length (at most 34
 * characters, so a bounded number of words per candidate). A candidate must have exactly that length and pass the
 * mod-97 check digits before it is normalised (ibantools: BBAN format too) and before any keyed hash: ordinary
 * words never reach the directory.
 */
import { getCountrySpecifications } from 'ibantools';
import { normalizeIban } from '../directory/normalize.js';
import type { Words } from '../core/tokenize.js';

/** IBAN length per country code (`DE` → 22), from ibantools' registry of IBAN countries. */
const IBAN_LENGTH: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const [code, spec] of Object.entries(getCountrySpecifications())) {
    if (spec.chars && spec.bban_regexp) m.set(code, spec.chars);
  }
  return m;
})();

export interface IbanCandidate {
  /** Offsets of the printed IBAN in the segment's text. */
  start: number;
  end: number;
  /** Electronic format, validated (as the directory stores it). */
  iban: string;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiAlnum(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (!isAsciiLetter(c) && !isAsciiDigit(c)) return false;
  }
  return true;
}

/** Horizontal space between IBAN groups: space, tab, NBSP, U+2000–U+200A (thin, figure, …), narrow NBSP. */
function isGroupSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 0xa0 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f;
}

const SAME_LINE = 1;
const LINE_BREAK = 2;

/**
 * What separates two groups of one IBAN: 1–3 spaces, or one '-' or '.', (SAME_LINE); or a single line break with
 * spaces and quote marks ('>') around it, as when a mail client wraps a printed IBAN (LINE_BREAK); else 0.
 */
function groupGap(text: string, from: number, to: number): number {
  const n = to - from;
  if (n < 1 || n > 8) return 0;
  if (n === 1) {
    const c = text.charCodeAt(from);
    if (c === 45 || c === 46 || c === 0x2010 || c === 0x2011) return SAME_LINE;
  }
  let k = from;
  while (k < to && isGroupSpace(text.charCodeAt(k))) k++;
  if (k === to) return n <= 3 ? SAME_LINE : 0;
  if (text.charCodeAt(k) === 13) k++;
  if (k >= to || text.charCodeAt(k) !== 10) return 0;
  k++;
  while (k < to && (isGroupSpace(text.charCodeAt(k)) || text.charCodeAt(k) === 62)) k++;
  return k === to ? LINE_BREAK : 0;
}

/** ISO 7064 mod 97-10 on the rearranged IBAN (letters A–Z as 10–35): 1 for valid check digits. */
export function ibanMod97(iban: string): number {
  let r = 0;
  const n = iban.length;
  for (let k = 0; k < n; k++) {
    const c = iban.charCodeAt((k + 4) % n);
    if (isAsciiDigit(c)) r = (r * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) r = (r * 100 + (c - 55)) % 97;
    else return -1;
  }
  return r;
}

/** The valid IBANs printed in the words of one segment, in text order, non-overlapping. */
export function* ibanCandidates(w: Words): Generator<IbanCandidate> {
  const text = w.source;
  for (let i = 0; i < w.length; i++) {
    // a mix of letters and digits that starts with CC + 2 digits
    if (!w.anyDigit(i) || w.digits(i)) continue;
    const s = w.start(i);
    const e = w.end(i);
    if (e - s < 4) continue;
    const c0 = text.charCodeAt(s);
    const c1 = text.charCodeAt(s + 1);
    if (
      !isAsciiLetter(c0) ||
      !isAsciiLetter(c1) ||
      !isAsciiDigit(text.charCodeAt(s + 2)) ||
      !isAsciiDigit(text.charCodeAt(s + 3))
    )
      continue;
    const len = IBAN_LENGTH.get(String.fromCharCode(c0 & ~32, c1 & ~32));
    if (len === undefined || e - s > len || !isAsciiAlnum(text, s, e)) continue;
    let size = e - s;
    let j = i;
    let breaks = 0;
    while (size < len && j + 1 < w.length) {
      const gap = groupGap(text, w.end(j), w.start(j + 1));
      if (gap === 0 || (gap === LINE_BREAK && ++breaks > 1)) break;
      const gs = w.start(j + 1);
      const ge = w.end(j + 1);
      if (!isAsciiAlnum(text, gs, ge)) break;
      size += ge - gs;
      j++;
    }
    if (size !== len) continue;
    let compact = text.slice(s, e);
    for (let k = i + 1; k <= j; k++) compact += w.text(k);
    compact = compact.toUpperCase();
    if (ibanMod97(compact) !== 1) continue;
    const iban = normalizeIban(compact);
    if (iban === null) continue;
    yield { start: s, end: w.end(j), iban };
    i = j;
  }
}
