/**
 * Normalisation of directory values, per kind. The single place: the importer normalises directory cells with
 * these functions and the detector normalises candidates found in messages with the same functions, so both
 * sides produce identical strings (and identical keyed hashes).
 *
 * Every function returns null when the input is not a usable value of that kind.
 *
 * - email: the canonical form of core/address (the parser the envelope and headers use): lower-cased, domain in
 *   ASCII (IDNA/punycode), so `jürgen@müller.de` and `jürgen@xn--mller-kva.de` are one value; must look like
 *   local@domain (no quoted local part, no address literal).
 * - phone: E.164 (`+14155550171`) via libphonenumber-js; national formats resolved with the row's region (the
 *   `country` column) or the default region. Only numbers libphonenumber considers possible are kept.
 * - imei: digits only, exactly 15, Luhn-valid.
 * - card: digits only, 13–19, Luhn-valid.
 * - iban: electronic format (ISO 13616: no separators, upper case) via ibantools; the country's length, BBAN
 *   format and the mod-97 check digits must be valid.
 * - full_name: natural order (`LAST, First` and `LAST First` in capitals turned round, leading titles dropped),
 *   then NFKD, diacritics stripped, case-folded, hyphens → spaces, other punctuation removed, whitespace
 *   collapsed. At least two words (a single word is a first name, never evidence).
 * - city: folded like names (one word is fine).
 * - address: street words + house number (+ unit kept beside it), in every local form: see src/directory/address.ts.
 *   "123 Main Street" and "Main St. 123" both become `main st 123`; "C/ Mayor, nº 185, 1º C" and "Calle Mayor
 *   185" both `c mayor 185`. A cell that cannot be taken apart is kept as written (folded).
 * - postal_code: upper-case, spaces and dashes removed.
 * - order_id and custom kinds: trimmed, leading `#` dropped, upper-cased (order ids are matched
 *   case-insensitively: agents retype them in any case).
 */
import { isValidIBAN } from 'ibantools';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { parseAddress } from '../core/address.js';
import { addressKeys, addressWord, joinKey } from './address.js';
import { foldText } from './fold.js';
import { naturalNameOrder } from './name-words.js';

/** The word folds live in fold.ts (address.ts needs them without the rest of this module). */
export { foldText, foldWord } from './fold.js';

/** Kinds whose values are matched as exact tokens (order ids and every custom kind). */
export const NAMED_KINDS = new Set([
  'email',
  'phone',
  'imei',
  'card',
  'iban',
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
  const s = raw.trim();
  if (s.length > 320 || s.startsWith('<')) return null;
  // Same canonicalisation as envelope and headers (IDN domain → punycode), then the shape check on the result.
  const c = parseAddress(s)?.address ?? null;
  if (c === null || c.length > 254 || !EMAIL.test(c)) return null;
  return c;
}

/** Upper-case ISO 3166 alpha-2 code, or undefined. */
export function normalizeRegion(raw: string | undefined): CountryCode | undefined {
  if (!raw) return undefined;
  const s = raw.trim().toUpperCase();
  if (s === 'UK') return 'GB';
  return /^[A-Z]{2}$/.test(s) ? (s as CountryCode) : undefined;
}

/** E.164 of a phone number in international (`+…`, `00…`) or national format for `region`. */
/** Thin, figure, narrow no-break and other typographic spaces, which libphonenumber does not read as spaces. */
const TYPOGRAPHIC_SPACES = /[\u2000-\u200a\u202f]/g;

export function normalizePhone(raw: string, region?: string): string | null {
  let s = raw.trim();
  if (TYPOGRAPHIC_SPACES.test(s)) s = s.replace(TYPOGRAPHIC_SPACES, ' ');
  TYPOGRAPHIC_SPACES.lastIndex = 0;
  if (s.length < 5 || s.length > 40) return null;
  const digits = countDigits(s);
  if (digits < 6 || digits > 17) return null;
  const r = normalizeRegion(region);
  let input = s;
  if (input.startsWith('00') && r === undefined) input = '+' + input.slice(2);
  if (!input.startsWith('+') && r === undefined) return null;
  let parsed = parsePhoneNumberFromString(input, r);
  // `0049 30 …` in a row whose country dials abroad with another prefix (US 011, …): 00 is the usual
  // international prefix in Europe and the one agents write whatever the customer's country is.
  if ((!parsed || !parsed.isPossible()) && r !== undefined && input.startsWith('00')) {
    parsed = parsePhoneNumberFromString('+' + input.slice(2));
  }
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

/** Separators people print between IBAN groups: spaces (also NBSP, thin and narrow spaces), dashes, dots. */
const IBAN_SEPARATORS = /[\s\u00a0\u2000-\u200a\u202f.\-‐‑‒–]+/g;
const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$/;

/**
 * An IBAN in electronic format (`DE89370400440532013000`) from any printed form (`de89 3704 0044 0532 0130 00`,
 * `DE89-3704-…`, `IBAN: DE89…`), or null unless ibantools finds the country's length, its BBAN format and the
 * ISO 13616 mod-97 check digits valid.
 */
export function normalizeIban(raw: string): string | null {
  let s = raw.trim();
  if (s.length > 64) return null;
  if (/^iban\b[\s:]*/i.test(s)) s = s.replace(/^iban\b[\s:]*/i, '');
  s = s.replace(IBAN_SEPARATORS, '').toUpperCase();
  if (!IBAN_SHAPE.test(s) || !isValidIBAN(s)) return null;
  return s;
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
  const s = raw
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
  return /^[A-Z0-9]{3,10}$/.test(s) && /\d/.test(s) ? s : null;
}

/** A house number as the earlier address normaliser read it (12, 12a, 12-14, 12/3); kept for callers. */
export const HOUSE_NUMBER = /^\d{1,5}[a-z]?(?:[-/]\d{1,5}[a-z]?)?$/;

/** Folds one (already name-folded) street word: street types and compounds (see src/directory/address.ts). */
export function foldStreetWord(word: string): string {
  return addressWord(word);
}

/** Street words + house number → the address's base key `words… number` (src/directory/address.ts). */
export function joinAddress(words: readonly string[], number: string): string {
  return joinKey(words.map(addressWord), number);
}

/**
 * The address's key: `street words… number` when the cell can be taken apart (src/directory/address.ts explains
 * the rule and the unit keys the importer stores beside it), else its folded words as written. Null: no word.
 */
export function normalizeAddress(raw: string): string | null {
  const k = addressKeys(raw);
  if (!k) return null;
  return k.bases[0] ?? k.asWritten;
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
    case 'iban':
      return normalizeIban(raw);
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
