/**
 * Street addresses: one parser for directory cells and for text, so both sides build the same keys.
 *
 * Both sides cut the value into the detector's own words (src/core/tokenize.ts) and fold each word with
 * `addressWord`: name folding (NFKD, marks dropped, lower case, ß → ss …), ordinal signs dropped (`1º` → `1`,
 * `nº` → `n`), street types of every language mapped to one canonical word per type (src/directory/street-words.ts,
 * from libpostal: `C/`, `Calle`, `cl` → `c`; `Avda.`, `Avenida`, `Av.`, `avenue` → `av`; `R.`, `Rua`, `Rue` → `r`;
 * `ul.`, `ulica` → `ul`; `Cad.`, `Caddesi` → `cd`; `Sok.`, `Sokak` → `sk` …) and compounds folded to their
 * abbreviation (`Hauptstraße`, `Hauptstrasse`, `Hauptstr.` → `hauptstr`; `Kerkstraat` → `kerkstr`; `Storgatan` →
 * `storg`).
 *
 * **The key rule.** An address is *street words + house number + unit*:
 * - house number: the digits (`12`, or a range `12-14`). Designators before it are dropped (`No: 35`, `nº 12`,
 *   `Nr. 5`, `Số 12`, `#185`).
 * - unit: everything that tells one door of the building from another, read after the number: a letter or
 *   bis/ter glued to it or after a space, hyphen or slash (`12a`, `12 a`, `12-A`, `123/A`, `12 bis`, `12 hs`), a
 *   number after a slash (`12/3`), designated parts (`D: 4`, `Daire 4`, `m. 4`, `piso 1`, `Whg. 3`, `lgh 1101`),
 *   floor and door (`185, 1º C`, `2. tv`), and a leading flat (`Flat 4, 12 High St`, `Apt 5B 300 Main St`).
 *   Values are kept in order, designators dropped: `1º C` → `1 c`, `Kat 3 Daire 4` → `3 4`.
 * - the **base key** `street words… number` (number-first and number-last forms give the same key: `12 Main St`
 *   = `Main St 12`) is the directory value of kind `address`; the unit is kept beside it (internal kind
 *   `#addr_unit`, see `unitKeys`).
 * - In text, street + number matches (with or without a unit). street + number + unit matches when the units
 *   agree: equal, or one is the end of the other (`Daire 4` ≈ `Kat 3 Daire 4`, `C` ≈ `1º C`). A text that shows a
 *   **different unit of the same building** (`Calle Mayor 185, 2º A` for a customer at `… 185, 1º C`) is a
 *   neighbour's address, not this customer's: no finding. A customer stored without a unit matches any unit. A
 *   different house number never matches.
 * - A Turkish street written after its neighbourhood (`Atatürk Mah. Cumhuriyet Cad. No: 35`) is also stored
 *   without the neighbourhood (`Cumhuriyet Cad. No: 35`), as agents shorten it.
 *
 * **Stored as written (class 10).** A cell that cannot be taken apart this way (no house number: `Rose Cottage`;
 * no street: `123/A`; words after the number that are no unit: `Calle 5 de Mayo 12`) is still stored: its folded
 * words in order (at most ADDRESS_AS_WRITTEN_WORDS), also as an `address` value, with its first word under
 * `#addr1` so the detector tries the exact sequence only where such a value can start.
 */
import { Words } from '../core/tokenize.js';
import {
  COMPOUND_SUFFIXES,
  DISTRICT_WORDS,
  DOTTED_TYPES,
  NUMBER_DESIGNATORS,
  PARTICLES,
  STREET_TYPE,
  TYPE_CLASSES,
  UNIT_DESIGNATORS,
  UNIT_WORD_CANON,
  UNIT_WORDS,
} from './street-words.js';
import { foldWord } from './fold.js';

/** Internal kind: unit keys of an address (see `unitKeys`). */
export const ADDRESS_UNIT_KIND = '#addr_unit';
/** Internal kind: the key of an address whose street has a type word, without it (see `bareKeys`). */
export const ADDRESS_BARE_KIND = '#addr_bare';
/** Internal kind: the same, with its type words as a set (a type moved: `ул. Пушкина` = `Пушкина ул.`). */
export const ADDRESS_TYPED_KIND = '#addr_typed';
/** Internal kind: the first word of an address stored as written. */
export const ADDRESS_FIRST_KIND = '#addr1';
/** Most words of a street name, before or after the number. */
export const MAX_STREET_WORDS = 6;
/** Most words of an address stored as written (longer cells keep their first words). */
export const ADDRESS_AS_WRITTEN_WORDS = 10;

/** Removes ordinal signs (º ª) that fold to letters: `1º` → `1`, `nº` → `n`. */
function dropOrdinals(word: string): string {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === 0xba || c === 0xaa) return word.replace(/[ºª]/g, '');
  }
  return word;
}

/** A word folded for addresses, without street-type mapping (numbers, units, designators). */
export function addressToken(word: string): string {
  return foldWord(dropOrdinals(word));
}

/** A word folded for addresses: street types to their canonical word, compounds to their abbreviation. */
export function addressWord(word: string): string {
  // a type abbreviated with an ordinal sign: Spanish Pº (paseo), folded with it (º → o)
  if (dropOrdinals(word) !== word) {
    const o = STREET_TYPE.get(foldWord(word));
    if (o !== undefined) return o;
  }
  const f = addressToken(word);
  const t = STREET_TYPE.get(f);
  if (t !== undefined) return t;
  for (const [suffix, abbr] of COMPOUND_SUFFIXES) {
    if (f.length > suffix.length + 1 && f.endsWith(suffix)) return f.slice(0, -suffix.length) + abbr;
  }
  return f;
}

/**
 * Adds one unit part to `out`: a value glued to its letter is two parts (`3ºC` = `3º C` → `3`, `c`; `5B` → `5`,
 * `b`), and unit words of one meaning are one spelling (`huis` → `hs`).
 */
export function pushUnit(out: string[], v: string): void {
  const m = /^(\d{1,4})([a-z]{1,2})$/.exec(v);
  if (m) {
    out.push(m[1]!, m[2]!);
    return;
  }
  out.push(UNIT_WORD_CANON.get(v) ?? v);
}

/**
 * The street type written with an inner dot or hyphen that starts at word i (`P.za`, `V.le`, `C.so`, `пр-т`: two
 * words joined by one `.` or `-`), as its canonical word, or null.
 */
export function dottedType(w: Words, i: number): string | null {
  if (i + 1 >= w.length || w.start(i + 1) - w.end(i) !== 1) return null;
  const sep = w.source.charCodeAt(w.end(i));
  if (sep !== 46 && sep !== 45) return null;
  if (!w.letters(i) || !w.letters(i + 1)) return null;
  const joined = addressToken(w.text(i)) + addressToken(w.text(i + 1));
  return DOTTED_TYPES.has(joined) ? (STREET_TYPE.get(joined) ?? null) : null;
}

const NUMBER = /^(\d{1,5})([a-z]{0,6})$/;
const CURRENCY_WORDS = new Set([
  'eur',
  'euro',
  'euros',
  'usd',
  'gbp',
  'chf',
  'tl',
  'try',
  'zl',
  'pln',
  'kr',
  'sek',
  'dkk',
  'nok',
  'vnd',
  'dong',
  'dollars',
  'dolares',
  'reais',
  'brl',
  'lira',
]);

function isCurrencySign(c: number): boolean {
  return c === 36 || c === 0x20ac || c === 0xa3 || c === 0xa5 || c === 0x20ba || c === 0x20ab || c === 0x20bd;
}

/** A unit suffix standing for itself: one letter, or bis/ter/hs … */
function isSuffix(t: string): boolean {
  return (t.length === 1 && t >= 'a' && t <= 'z') || UNIT_WORDS.has(t);
}

/** A unit value: `4`, `4b`, `1101`, `c`. */
function isUnitValue(t: string): boolean {
  return /^\d{1,4}[a-z]{0,2}$/.test(t) || (t.length === 1 && t >= 'a' && t <= 'z');
}

/**
 * Where the words before the number at word i end: at a house-number designator right before it (`No:`, `nº`,
 * `n.º`, `Nr.`, `Số`), else at i.
 */
export function designatorStart(w: Words, i: number): number {
  let k = i - 1;
  while (k >= 0 && w.letters(k) && addressToken(w.text(k)) === '') k--; // the º of "n.º"
  // the designator may end the street's line, its number on the next ("Calle Real, nº\n127")
  if (k >= 0 && w.letters(k) && NUMBER_DESIGNATORS.has(addressToken(w.text(k))) && addressGap(w, k + 1, true)) return k;
  return i;
}

export interface HouseNumber {
  /** Digits, or a range `12-14`. */
  num: string;
  /** Unit parts read with the number (`12a`, `12-A`, `12/3`). */
  unit: string[];
  /** Index of the number's last word. */
  last: number;
}

/**
 * The gap before word i in an address: spaces and , . / - : # ° _ (at most 8 characters, 3 punctuation), and with `lineBreak` at
 * most one line break (a street on one line, its number or unit on the next).
 */
export function addressGap(w: Words, i: number, lineBreak: boolean): boolean {
  const src = w.source;
  const from = w.gapStart(i);
  const to = w.start(i);
  if (to === from) return false;
  if (to - from > 8) return false;
  let breaks = 0;
  let other = 0;
  for (let k = from; k < to; k++) {
    const c = src.charCodeAt(k);
    if (c === 10) {
      if (++breaks > 1 || !lineBreak) return false;
      continue;
    }
    if (c === 13) continue;
    if (c === 32 || c === 9 || c === 0xa0) continue;
    // , . / - : # °
    if (c === 44 || c === 46 || c === 47 || c === 45 || c === 58 || c === 35 || c === 0xb0 || c === 95) {
      if (++other > 3) return false;
      continue;
    }
    return false;
  }
  return true;
}

/** Only spaces (1–3) or a hyphen: a suffix glued or set after the number (`12 A`, `12-A`). */
function tightGap(w: Words, i: number): boolean {
  const src = w.source;
  const from = w.gapStart(i);
  const to = w.start(i);
  if (to - from < 1 || to - from > 3) return false;
  for (let k = from; k < to; k++) {
    const c = src.charCodeAt(k);
    if (c !== 32 && c !== 45 && c !== 47 && c !== 0xa0) return false;
  }
  return true;
}

/** The gap before word i holds a comma or a line break (the end of a street or unit part). */
function breakGap(w: Words, i: number): boolean {
  const src = w.source;
  for (let k = w.gapStart(i); k < w.start(i); k++) {
    const c = src.charCodeAt(k);
    if (c === 44 || c === 10 || c === 59) return true;
  }
  return false;
}

/**
 * The house number at word i (with what is glued to it: `12a`, `12-14`, `12-A`, `12/3`, `123/A`), or null: not a
 * number of 1–5 digits, a decimal (`12,50`), or a price (`€ 12`, `12 EUR`).
 */
export function readHouseNumber(w: Words, i: number): HouseNumber | null {
  const src = w.source;
  const t = addressToken(w.text(i));
  const m = NUMBER.exec(t);
  if (!m) return null;
  const unit: string[] = [];
  if (m[2]) {
    if (!isSuffix(m[2])) return null; // 12th, 5kg, 10am
    pushUnit(unit, m[2]);
  }
  // a currency sign just before: "€ 12", "$12"
  for (let k = w.start(i) - 1; k >= Math.max(0, w.start(i) - 2); k--) {
    const c = src.charCodeAt(k);
    if (isCurrencySign(c)) return null;
    if (c !== 32 && c !== 0xa0) break;
  }
  let num = m[1]!;
  let last = i;
  if (i + 1 < w.length && !m[2]) {
    const gap = w.start(i + 1) - w.end(i);
    const sep = gap === 1 ? src.charCodeAt(w.end(i)) : 0;
    if ((sep === 44 || sep === 46) && w.digits(i + 1)) return null; // 12,50 · 1.500
    if (sep === 45 || sep === 47) {
      const n = addressToken(w.text(i + 1));
      if (sep === 45 && /^\d{1,5}$/.test(n)) {
        num += '-' + n; // 12-14
        last = i + 1;
      } else if (isSuffix(n) || (sep === 47 && /^\d{1,4}[a-z]?$/.test(n))) {
        pushUnit(unit, n); // 12-A, 123/A, 12/3
        last = i + 1;
      }
    }
  }
  // a price: "12 €", "12 EUR"
  const after = w.end(last);
  for (let k = after; k < Math.min(src.length, after + 2); k++) {
    const c = src.charCodeAt(k);
    if (isCurrencySign(c)) return null;
    if (c !== 32 && c !== 0xa0) break;
  }
  if (last + 1 < w.length && w.start(last + 1) - after <= 2 && CURRENCY_WORDS.has(addressToken(w.text(last + 1))))
    return null;
  return { num, unit, last };
}

/**
 * Unit parts after word `last` (the number's last word): designated values (`D: 4`, `piso 1`, `m. 4`), bare values
 * and a final letter (`1º C`), bis/ter/hs, on the same line or the next. Returns the index of the last word read
 * (`last` when none). A postal code (4+ digits without a designator) or any other word ends the unit.
 */
export function readUnit(w: Words, last: number, out: string[]): number {
  let k = last + 1;
  let read = 0;
  while (k < w.length && read < 4 && addressGap(w, k, true)) {
    const t = addressToken(w.text(k));
    if (UNIT_DESIGNATORS.has(t) && k + 1 < w.length && addressGap(w, k + 1, false)) {
      const v = addressToken(w.text(k + 1));
      if (isUnitValue(v)) {
        pushUnit(out, v);
        last = k + 1;
        k += 2;
        read++;
        continue;
      }
    }
    if (UNIT_WORDS.has(t)) {
      pushUnit(out, t);
    } else if (/^\d{1,3}[a-z]?$/.test(t) && bareValue(w, k)) {
      pushUnit(out, t);
    } else if (
      t.length === 1 &&
      t >= 'a' &&
      t <= 'z' &&
      (k + 1 >= w.length || breakGap(w, k + 1) || !w.letters(k + 1))
    ) {
      // a lone letter is a door only where the line or part ends ("1º C", "12 A, Berlin"), not "12 y 14"
      out.push(t);
    } else break;
    last = k;
    k++;
    read++;
  }
  return last;
}

/**
 * A number without a designator is a unit (a floor, a door: `185, 1º C`, `2. tv`) on the number's line, or on the
 * next when it carries an ordinal sign; never the first part of a postal code (`00-026`, `903 26`, `1015 CJ`).
 */
function bareValue(w: Words, k: number): boolean {
  if (k + 1 < w.length && w.startsWithDigit(k + 1) && w.start(k + 1) - w.end(k) <= 2) {
    const c = w.source.charCodeAt(w.end(k));
    if (c === 45 || c === 32 || c === 0xa0 || c === 47) return false;
  }
  for (let i = w.gapStart(k); i < w.start(k); i++) {
    if (w.source.charCodeAt(i) === 10) return /[ºª]/.test(w.text(k));
  }
  return true;
}

/** Unit keys stored for base key `base` and unit `unit` (see module comment): has-unit, full, proper ends. */
export function unitKeys(base: string, unit: readonly string[]): string[] {
  if (unit.length === 0) return [];
  const keys = [base + '#', base + '#=' + unit.join(' ')];
  for (let s = 1; s < unit.length; s++) keys.push(base + '#~' + unit.slice(s).join(' '));
  return keys;
}

/** Keys the text side tries for unit `unit`: the unit itself (equal, or the end of the stored one) and its ends. */
export function unitProbeKeys(base: string, unit: readonly string[]): string[] {
  const full = unit.join(' ');
  const keys = [base + '#=' + full, base + '#~' + full];
  for (let s = 1; s < unit.length; s++) keys.push(base + '#=' + unit.slice(s).join(' '));
  return keys;
}

/**
 * The street's words without its street-type words (`Calle Real` → `real`, `al. Słowackiego` → `slowackiego`,
 * `Đường Lê Lợi` → `le loi`), and the type words left out, sorted; null when the street has no type word, or no
 * word but types and particles (`Rynek 5`, `Park Lane 5`, `Am Hof 5` keep their types). Particles stay (`Avenida de
 * la Constitución` → `de la constitucion`). Compounds are no type word (`Hauptstraße` → `hauptstr`).
 */
export function bareStreet(street: readonly string[]): { bare: string; types: string } | null {
  let anyType = false;
  let hasName = false;
  for (const s of street) {
    if (TYPE_CLASSES.has(s)) anyType = true;
    else if (!PARTICLES.has(s)) hasName = true;
  }
  if (!anyType || !hasName) return null;
  let bare = '';
  const types: string[] = [];
  for (const s of street) {
    if (TYPE_CLASSES.has(s)) types.push(s);
    else bare += (bare ? ' ' : '') + s;
  }
  return { bare, types: types.sort().join(' ') };
}

/** Key of a street without its type words (internal kind `#addr_bare`), and with them as a set (`#addr_typed`). */
export interface BareKeys {
  bare: string;
  typed: string;
}

export function bareKeys(street: readonly string[], num: string): BareKeys | null {
  const b = bareStreet(street);
  return b === null ? null : { bare: b.bare + ' ' + num, typed: b.bare + ' ' + num + '|' + b.types };
}

export function joinKey(street: readonly string[], num: string): string {
  return street.join(' ') + ' ' + num;
}

/** What a directory cell of kind `address` is stored as. */
export interface AddressKeys {
  /** `street… number` keys (the full street, and without a Turkish neighbourhood); empty when not taken apart. */
  bases: string[];
  /** Bare and typed keys of the bases whose street has a type word (see `bareKeys`). */
  bare: BareKeys[];
  /** Unit parts, in order (empty: none). */
  unit: string[];
  /** The cell's folded words in order, when it was not taken apart or has words the base keys leave out. */
  asWritten: string | null;
}

const cellWords = new Words();

/** Parses one directory cell. Null when it holds no word at all. */
export function addressKeys(raw: string): AddressKeys | null {
  const w = cellWords.fill(raw.length > 500 ? raw.slice(0, 500) : raw);
  try {
    return parseCell(w);
  } finally {
    cellWords.clear();
  }
}

function asWrittenOf(w: Words): string | null {
  let out = '';
  let n = 0;
  for (let i = 0; i < w.length && n < ADDRESS_AS_WRITTEN_WORDS; i++) {
    const f = addressWord(w.text(i));
    if (!f) continue;
    out += (n ? ' ' : '') + f;
    n++;
  }
  if (n === 0) return null;
  // one short word is no address anyone could recognise ("5", "A"): at least two words or one of 5+ characters
  if (n === 1 && out.length < 5) return null;
  return out;
}

function parseCell(w: Words): AddressKeys | null {
  if (w.length === 0) return null;
  const unit: string[] = [];
  let start = 0;
  // a leading flat: "Flat 4, 12 High St", "Apt 5B 300 Main St"
  while (
    start + 3 < w.length &&
    UNIT_DESIGNATORS.has(addressToken(w.text(start))) &&
    isUnitValue(addressToken(w.text(start + 1))) &&
    w.anyDigit(start + 1)
  ) {
    pushUnit(unit, addressToken(w.text(start + 1)));
    start += 2;
  }
  let h = -1;
  let hn: HouseNumber | null = null;
  for (let i = start; i < w.length; i++) {
    if (!w.startsWithDigit(i)) continue;
    hn = readHouseNumber(w, i);
    if (hn) {
      h = i;
      break;
    }
  }
  const fallback = (): AddressKeys | null => {
    const aw = asWrittenOf(w);
    return aw === null ? null : { bases: [], bare: [], unit: [], asWritten: aw };
  };
  if (!hn) return fallback();
  const streetEnd = Math.max(start, designatorStart(w, h));
  const street: string[] = [];
  let rest: number;
  let numberUnit = hn.unit;
  if (streetEnd > start) {
    // number last: "Calle Mayor 185, 1º C", "Cumhuriyet Cad. No: 35 D: 4"
    for (let i = start; i < streetEnd; i++) {
      if (!w.letters(i)) return fallback();
      const d = i + 1 < streetEnd ? dottedType(w, i) : null;
      if (d !== null) {
        street.push(d);
        i++;
        continue;
      }
      const f = addressWord(w.text(i));
      if (f) street.push(f);
    }
    const u: string[] = [...hn.unit];
    rest = readUnit(w, hn.last, u) + 1;
    numberUnit = u;
  } else {
    // number first: "12 Main Street", "12 bis, rue de Rivoli", "Số 12 Lê Lợi"
    let k = hn.last + 1;
    const u: string[] = [...hn.unit];
    const sfx = k + 1 < w.length ? addressToken(w.text(k)) : '';
    if (u.length === 0 && sfx && tightGap(w, k) && isSuffix(sfx) && !STREET_TYPE.has(sfx) && w.letters(k + 1)) {
      pushUnit(u, addressToken(w.text(k)));
      k++;
    }
    while (
      k < w.length &&
      street.length < MAX_STREET_WORDS + 2 &&
      w.letters(k) &&
      (street.length === 0 ? addressGap(w, k, false) : addressGap(w, k, false) && !breakGap(w, k))
    ) {
      const d = dottedType(w, k);
      if (d !== null) {
        street.push(d);
        k += 2;
        continue;
      }
      street.push(addressWord(w.text(k)));
      k++;
    }
    // "12 Main St, Apt 4"
    if (
      k + 1 < w.length &&
      breakGap(w, k) &&
      UNIT_DESIGNATORS.has(addressToken(w.text(k))) &&
      isUnitValue(addressToken(w.text(k + 1)))
    ) {
      pushUnit(u, addressToken(w.text(k + 1)));
      k += 2;
    }
    numberUnit = u;
    rest = k;
  }
  if (street.length === 0 || street.length > MAX_STREET_WORDS + 2) return fallback();
  const allUnit = [...unit, ...numberUnit];
  const bases = [joinKey(street, hn.num)];
  const bare: BareKeys[] = [];
  const b0 = bareKeys(street, hn.num);
  if (b0) bare.push(b0);
  for (let d = street.length - 2; d >= 0; d--) {
    if (DISTRICT_WORDS.has(street[d]!) || DISTRICT_WORDS.has(addressToken(w.text(start + d)))) {
      bases.push(joinKey(street.slice(d + 1), hn.num));
      const b1 = bareKeys(street.slice(d + 1), hn.num);
      if (b1) bare.push(b1);
      break;
    }
  }
  // words left over that are not after a comma or line break (postal code and city): keep the exact form too
  const asWritten = rest < w.length && !breakGap(w, rest) ? asWrittenOf(w) : null;
  return { bases, bare, unit: allUnit, asWritten };
}
