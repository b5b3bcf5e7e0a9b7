/**
 * Normalisation of directory values, per kind. The single place: the importer normalises directory cells with
 * these functions and the detector normalises candidates found in messages with the same functions, so both
 * sides produce identical strings (and identical keyed hashes).
 *
 * Every function returns null when the input is not a usable value of that kind.
 *
 * - email: trimmed, lower-cased; must look like local@domain.
 * - phone: E.164 (`+14155550171`) via libphonenumber-js; national formats resolved with the row's region (the
 *   `country` column) or the default region. Only numbers libphonenumber considers possible are kept.
 * - imei: digits only, exactly 15, Luhn-valid.
 * - card: digits only, 13–19, Luhn-valid.
 * - full_name: natural order (`LAST, First` and `LAST First` in capitals turned round, leading titles dropped),
 *   then NFKD, diacritics stripped, case-folded, hyphens → spaces, other punctuation removed, whitespace
 *   collapsed. At least two words (a single word is a first name, never evidence).
 * - city: folded like names (one word is fine).
 * - address: street + house number. Folded like names, street-type words abbreviated (street/st/str → st,
 *   avenue → ave, …, `…straße`/`…strasse` → `…str`), the house number (`12`, `12a`, `12-14`) moved to the end:
 *   "123 Main Street" and "Main St. 123" both become `main st 123`. No house number → null.
 * - postal_code: upper-case, spaces and dashes removed.
 * - order_id and custom kinds: trimmed, leading `#` dropped, upper-cased (order ids are matched
 *   case-insensitively: agents retype them in any case).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { naturalNameOrder } from './name-words.js';

/** Kinds whose values are matched as exact tokens (order ids and every custom kind). */
export const NAMED_KINDS = new Set([
  'email',
  'phone',
  'imei',
  'card',
  'full_name',
  'address',
  'postal_code',
  'city',
]);

export function isTokenKind(kind: string): boolean {
  return !NAMED_KINDS.has(kind);
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

export function normalizeEmail(raw: string): string | null {
  const s = raw.trim().toLowerCase();
  if (s.length > 254 || !EMAIL.test(s)) return null;
  return s;
}

/** Upper-case ISO 3166 alpha-2 code, or undefined. */
export function normalizeRegion(raw: string | undefined): CountryCode | undefined {
  if (!raw) return undefined;
  const s = raw.trim().toUpperCase();
  if (s === 'UK') return 'GB';
  return /^[A-Z]{2}$/.test(s) ? (s as CountryCode) : undefined;
}

/** E.164 of a phone number in international (`+…`, `00…`) or national format for `region`. */
export function normalizePhone(raw: string, region?: string): string | null {
  const s = raw.trim();
  if (s.length < 5 || s.length > 40) return null;
  const digits = countDigits(s);
  if (digits < 6 || digits > 17) return null;
  const r = normalizeRegion(region);
  let input = s;
  if (input.startsWith('00') && r === undefined) input = '+' + input.slice(2);
  if (!input.startsWith('+') && r === undefined) return null;
  const parsed = parsePhoneNumberFromString(input, r);
  if (!parsed || !parsed.isPossible()) return null;
  return parsed.number;
}

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

export function digitsOnly(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) out += raw[i];
  }
  return out;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Only digits and the usual separators (space, dash, dot, slash) are allowed around the digits. */
const NUMBER_LIKE = /^[\d\s\-./]+$/;

export function normalizeImei(raw: string): string | null {
  const s = raw.trim();
  if (!NUMBER_LIKE.test(s)) return null;
  const d = digitsOnly(s);
  return d.length === 15 && luhnValid(d) ? d : null;
}

export function normalizeCard(raw: string): string | null {
  const s = raw.trim();
  if (!NUMBER_LIKE.test(s)) return null;
  const d = digitsOnly(s);
  return d.length >= 13 && d.length <= 19 && luhnValid(d) ? d : null;
}

/** Letters without a decomposition that NFKD leaves alone. */
const FOLD_EXTRA: Record<string, string> = {
  ß: 'ss',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
};
const FOLD_EXTRA_RE = /[ßøłđðþæœı]/g;
const MARKS = /\p{M}+/gu;
const DASHES = /[-‐‑‒–—]/g;
const NON_WORD = /[^\p{L}\p{N}\s]+/gu;
const SPACES = /\s+/g;

/**
 * Folds free text the way names are stored: NFKD, marks removed, lower-case, extra letters folded, hyphens to
 * spaces, other punctuation removed, whitespace collapsed.
 */
export function foldText(raw: string): string {
  let s = raw.normalize('NFKD').replace(MARKS, '').toLowerCase();
  if (FOLD_EXTRA_RE.test(s)) s = s.replace(FOLD_EXTRA_RE, (c) => FOLD_EXTRA[c] ?? c);
  FOLD_EXTRA_RE.lastIndex = 0;
  return s.replace(DASHES, ' ').replace(NON_WORD, '').replace(SPACES, ' ').trim();
}

/** Fast fold of one word (already free of whitespace): used by the detector per token. */
export function foldWord(word: string): string {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return foldText(word);
  }
  return word.toLowerCase();
}

/**
 * A full name, folded, in natural order (given names first): `MÜLLER, Hans`, `MÜLLER Hans`, `Dr. Hans Müller` and
 * `Hans Müller` are all `hans muller` (see naturalNameOrder in name-words.ts for the orders and titles read).
 */
export function normalizeName(raw: string): string | null {
  if (raw.length > 400) return null;
  const s = foldText(naturalNameOrder(raw, foldText));
  if (!s || s.length > 200) return null;
  return s.includes(' ') ? s : null;
}

export function normalizeCity(raw: string): string | null {
  const s = foldText(raw);
  return s && s.length <= 100 ? s : null;
}

export function normalizePostalCode(raw: string): string | null {
  const s = raw.trim().toUpperCase().replace(/[\s-]+/g, '');
  return /^[A-Z0-9]{3,10}$/.test(s) && /\d/.test(s) ? s : null;
}

/**
 * Street-type words → canonical abbreviation. A Map, not an object literal: every word of a message is looked up,
 * and on an object "constructor" or "toString" found Object.prototype's function instead of nothing.
 */
const STREET_WORDS = new Map<string, string>(
  Object.entries({
    street: 'st',
    st: 'st',
    str: 'st',
    strasse: 'st',
    strase: 'st',
    avenue: 'ave',
    av: 'ave',
    ave: 'ave',
    road: 'rd',
    rd: 'rd',
    boulevard: 'blvd',
    blvd: 'blvd',
    bd: 'blvd',
    drive: 'dr',
    dr: 'dr',
    lane: 'ln',
    ln: 'ln',
    place: 'pl',
    pl: 'pl',
    platz: 'pl',
    court: 'ct',
    ct: 'ct',
    square: 'sq',
    sq: 'sq',
    terrace: 'ter',
    ter: 'ter',
    highway: 'hwy',
    hwy: 'hwy',
    parkway: 'pkwy',
    pkwy: 'pkwy',
    circle: 'cir',
    cir: 'cir',
    way: 'way',
    gasse: 'g',
    weg: 'weg',
    rue: 'rue',
    north: 'n',
    south: 's',
    east: 'e',
    west: 'w',
    n: 'n',
    s: 's',
    e: 'e',
    w: 'w',
    apartment: 'apt',
    apt: 'apt',
    suite: 'ste',
    ste: 'ste',
  }),
);

/** A house number: 12, 12a, 12-14, 12/3. */
export const HOUSE_NUMBER = /^\d{1,5}[a-z]?(?:[-/]\d{1,5}[a-z]?)?$/;

/** Folds one (already name-folded) street word. */
export function foldStreetWord(word: string): string {
  const mapped = STREET_WORDS.get(word);
  if (mapped !== undefined) return mapped;
  // German compounds: Hauptstraße / Hauptstrasse / Hauptstr → hauptstr
  if (word.length > 6 && word.endsWith('strasse')) return word.slice(0, -7) + 'str';
  if (word.length > 5 && word.endsWith('strase')) return word.slice(0, -6) + 'str';
  return word;
}

/**
 * Street words (folded, at least one letter-bearing word) + house number → `words… number`.
 * `words` are name-folded tokens, `number` a HOUSE_NUMBER token.
 */
export function joinAddress(words: readonly string[], number: string): string {
  let out = '';
  for (const w of words) out += foldStreetWord(w) + ' ';
  return out + number;
}

export function normalizeAddress(raw: string): string | null {
  // Keep '/' and '-' inside house numbers: fold separately per whitespace token.
  const tokens = raw
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .replace(/[,;]/g, ' ')
    .split(SPACES)
    .filter(Boolean);
  let number: string | null = null;
  const words: string[] = [];
  for (const t of tokens) {
    const bare = t.replace(/\.$/, '');
    if (number === null && HOUSE_NUMBER.test(bare)) {
      number = bare;
      continue;
    }
    if (number === null && /^\d+$/.test(bare)) return null;
    const w = foldText(t);
    if (w) for (const part of w.split(' ')) words.push(part);
  }
  if (number === null || words.length === 0 || words.length > 6) return null;
  if (!words.some((w) => /\p{L}/u.test(w))) return null;
  return joinAddress(words, number);
}

export function normalizeToken(raw: string): string | null {
  let s = raw.trim();
  if (s.startsWith('#')) s = s.slice(1);
  s = s.toUpperCase();
  if (!s || s.length > 100 || /\s/.test(s)) return null;
  return s;
}

/**
 * Normalises a value of `kind`. `region` is the row's country (ISO-2) or the configured default, used for
 * national phone formats.
 */
export function normalizeValue(kind: string, raw: string, region?: string): string | null {
  switch (kind) {
    case 'email':
      return normalizeEmail(raw);
    case 'phone':
      return normalizePhone(raw, region);
    case 'imei':
      return normalizeImei(raw);
    case 'card':
      return normalizeCard(raw);
    case 'full_name':
      return normalizeName(raw);
    case 'city':
      return normalizeCity(raw);
    case 'address':
      return normalizeAddress(raw);
    case 'postal_code':
      return normalizePostalCode(raw);
    default:
      return normalizeToken(raw);
  }
}

/** Domain of a normalised email. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}
