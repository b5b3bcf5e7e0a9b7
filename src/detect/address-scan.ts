/**
 * Street addresses in text (src/directory/address.ts has the key rule, shared with the importer).
 *
 * Every word that starts with a digit and reads as a house number (`12`, `12a`, `12-14`, `12/3`; not `12,50`,
 * `€ 12`, `12th`) is a candidate:
 * - number last: up to MAX_STREET_WORDS street words before it, on the same line, joined by spaces or `. , - /`
 *   (`C/ Mayor`, `Calle Mayor, 185`, `Cad. No: 35`); the street may end on the line before the number
 *   (`Calle Mayor\n185`); a designator between is skipped (`No:`, `nº`, `Nr.`). The unit is read after the
 *   number, on the same line or the next (`185, 1º C`, `No: 35 D: 4`, `12\nm. 4`).
 * - number first: up to MAX_STREET_WORDS street words after it (`12 Main St`, `12 bis, rue de Rivoli`, `Số 12 Lê
 *   Lợi`), with a bis/ter or a letter between read as the unit.
 * Each window is one keyed hash (memoised per message); the longest window that is a customer's base key wins,
 * then the unit is checked. Cost is linear: a bounded number of windows per digit word.
 *
 * Addresses stored as written (no house number, unusual order) are tried where a word is the first word of such a
 * value (`#addr1`), as the exact folded word sequence of at most ADDRESS_AS_WRITTEN_WORDS words.
 */
import {
  ADDRESS_AS_WRITTEN_WORDS,
  ADDRESS_BARE_KIND,
  ADDRESS_TYPED_KIND,
  bareKeys,
  ADDRESS_FIRST_KIND,
  ADDRESS_UNIT_KIND,
  MAX_STREET_WORDS,
  addressGap,
  addressToken,
  addressWord,
  designatorStart,
  dottedType,
  joinKey,
  pushUnit,
  readHouseNumber,
  readUnit,
  unitProbeKeys,
} from '../directory/address.js';
import { TYPE_CLASSES, UNIT_WORDS } from '../directory/street-words.js';
import type { DirectoryView } from '../directory/directory.js';
import type { Words } from '../core/tokenize.js';

export interface AddressScan {
  /** Customers holding `value` of `kind` (memoised). */
  look(kind: string, value: string): readonly string[];
  directory: DirectoryView;
  /** True once scanning must stop (deadline or findings limit). */
  halted(step: number): boolean;
  found(customers: readonly string[], start: number, end: number, value: string): void;
}

/**
 * True when the directory may hold addresses stored as written. The importer gives their internal first-word kind
 * the strength 'weak' (an unknown kind defaults to 'strong'), so its strength says whether any was imported; a
 * stale 'weak' after all of them were removed only costs the (memoised) first-word look-ups.
 */
export function mayHoldAsWritten(directory: DirectoryView): boolean {
  return directory.strengthOf(ADDRESS_FIRST_KIND) === 'weak';
}

/** The customers of `customers` whose unit agrees with `unit` (see src/directory/address.ts). */
function unitAgrees(
  s: AddressScan,
  base: string,
  customers: readonly string[],
  unit: readonly string[],
): readonly string[] {
  if (unit.length === 0) return customers;
  const d = s.directory;
  const withUnit = d.lookupAmong(ADDRESS_UNIT_KIND, base + '#', customers);
  if (withUnit.length === 0) return customers;
  const ok = new Set<string>();
  for (const key of unitProbeKeys(base, unit))
    for (const c of d.lookupAmong(ADDRESS_UNIT_KIND, key, withUnit)) ok.add(c);
  return customers.filter((c) => ok.has(c) || !withUnit.includes(c));
}

/**
 * Customers whose address is the street `street` + `num`, and the base key their unit keys hang on: the exact key;
 * a text street without a type word matches a stored one with a type (`Słowackiego 3/30` = `al. Słowackiego
 * 3/30`); a text street with type words matches a stored one without any (`Đường Lê Lợi` = `Lê Lợi`) or with the
 * same types in another place (`Пушкина ул.` = `ул. Пушкина`). A different type (`Baker Road` for `Baker Street`)
 * is another street.
 */
function lookStreet(
  s: AddressScan,
  street: readonly string[],
  num: string,
  typed: boolean,
): { hit: readonly string[]; key: string } | null {
  const full = joinKey(street, num);
  const exact = s.look('address', full);
  if (exact.length) return { hit: exact, key: full };
  const b = bareKeys(street, num);
  if (b === null) {
    // "42 Baker Road": the window "42 Baker" is part of a street that has a type (another street)
    if (typed) return null;
    const omitted = s.look(ADDRESS_BARE_KIND, full);
    return omitted.length ? { hit: omitted, key: full } : null;
  }
  const inserted = s.look('address', b.bare);
  if (inserted.length) return { hit: inserted, key: b.bare };
  const moved = s.look(ADDRESS_TYPED_KIND, b.typed);
  return moved.length ? { hit: moved, key: b.bare } : null;
}

/** Word j is a street-type word (alone or as the second half of a dotted one): the street goes on with a type. */
function typeWordAt(w: Words, j: number): boolean {
  if (j < 0 || j >= w.length || !w.letters(j)) return false;
  if (TYPE_CLASSES.has(addressWord(w.text(j)))) return true;
  return dottedType(w, j) !== null || (j > 0 && dottedType(w, j - 1) !== null);
}

function isSuffixWord(t: string): boolean {
  return (t.length === 1 && t >= 'a' && t <= 'z') || UNIT_WORDS.has(t);
}

/** Spaces or a hyphen (1–3 characters): `12 bis`, `12-A`. */
function tight(w: Words, i: number): boolean {
  const from = w.gapStart(i);
  const to = w.start(i);
  if (to - from < 1 || to - from > 3) return false;
  for (let k = from; k < to; k++) {
    const c = w.source.charCodeAt(k);
    if (c !== 32 && c !== 45 && c !== 0xa0) return false;
  }
  return true;
}

function hasBreak(w: Words, i: number): boolean {
  for (let k = w.gapStart(i); k < w.start(i); k++) {
    const c = w.source.charCodeAt(k);
    if (c === 44 || c === 10 || c === 59) return true;
  }
  return false;
}

export function scanAddresses(w: Words, s: AddressScan, asWritten: boolean): void {
  for (let i = 0; i < w.length; i++) {
    if (s.halted(i)) return;
    if (!w.startsWithDigit(i)) continue;
    const hn = readHouseNumber(w, i);
    if (!hn) continue;
    let hit = numberLast(w, s, i, hn.num, hn.unit, hn.last);
    hit = numberFirst(w, s, i, hn.num, hn.unit, hn.last) || hit;
    // "ул. Мира 23-177": a house and its flat written as a range (Russian, Spanish "12-3º")
    const dash = hn.num.indexOf('-');
    if (!hit && dash > 0) {
      const unit: string[] = [];
      pushUnit(unit, hn.num.slice(dash + 1));
      unit.push(...hn.unit);
      const num = hn.num.slice(0, dash);
      if (!numberLast(w, s, i, num, unit, hn.last)) numberFirst(w, s, i, num, unit, hn.last);
    }
  }
  if (asWritten) writtenAsStored(w, s);
}

/** Street words before the number (`… Calle Mayor 185`); true when a customer's base key was found. */
function numberLast(w: Words, s: AddressScan, i: number, num: string, glued: readonly string[], last: number): boolean {
  const streetEnd = designatorStart(w, i);
  if (streetEnd === 0 || !w.letters(streetEnd - 1) || !addressGap(w, streetEnd, true)) return false;
  const before: string[] = [];
  let best: readonly string[] | null = null;
  let bestStart = 0;
  let bestValue = '';
  for (let k = streetEnd - 1; k >= 0 && before.length < MAX_STREET_WORDS; k--) {
    if (!w.letters(k)) break;
    if (k < streetEnd - 1 && !addressGap(w, k + 1, false)) break;
    let f = addressWord(w.text(k));
    // "P.za Navona 3": the two words of a dotted type are one
    const d = k > 0 ? dottedType(w, k - 1) : null;
    if (d !== null) {
      f = d;
      k--;
    }
    if (!f) continue;
    before.unshift(f);
    const r = lookStreet(s, before, num, addressGap(w, k, false) && typeWordAt(w, k - 1));
    if (r) {
      best = r.hit;
      bestStart = w.start(k);
      bestValue = r.key;
    }
  }
  if (!best) return false;
  const unit = [...glued];
  const end = readUnit(w, last, unit);
  const customers = unitAgrees(s, bestValue, best, unit);
  if (customers.length) s.found(customers, bestStart, w.end(end), bestValue);
  return true;
}

/** Street words after the number (`12 Main St`, `Số 12 Lê Lợi`); true when a customer's base key was found. */
function numberFirst(
  w: Words,
  s: AddressScan,
  i: number,
  num: string,
  glued: readonly string[],
  last: number,
): boolean {
  const k0 = last + 1;
  if (k0 >= w.length) return false;
  let hitAny = false;
  // "12 bis rue …", "12 A Main St": the word after the number may be a unit or the street's first word
  const suffix = glued.length === 0 && k0 + 1 < w.length && tight(w, k0) ? addressToken(w.text(k0)) : '';
  const variants = suffix && isSuffixWord(suffix) ? 2 : 1;
  for (let v = 0; v < variants; v++) {
    const first = k0 + v;
    const unit: readonly string[] = v === 1 ? canonUnit(suffix) : glued;
    const after: string[] = [];
    let best: readonly string[] | null = null;
    let bestEnd = 0;
    let bestValue = '';
    for (let k = first; k < w.length && after.length < MAX_STREET_WORDS; k++) {
      if (!w.letters(k) || !addressGap(w, k, false) || (k > first && hasBreak(w, k))) break;
      const d = dottedType(w, k);
      if (d !== null) {
        after.push(d);
        k++;
      } else after.push(addressWord(w.text(k)));
      const r = lookStreet(
        s,
        after,
        num,
        k + 1 < w.length && addressGap(w, k + 1, false) && !hasBreak(w, k + 1) && typeWordAt(w, k + 1),
      );
      if (r) {
        best = r.hit;
        bestEnd = w.end(k);
        bestValue = r.key;
      }
    }
    if (!best) continue;
    hitAny = true;
    const customers = unitAgrees(s, bestValue, best, unit);
    if (customers.length) s.found(customers, w.start(i), bestEnd, bestValue);
  }
  return hitAny;
}

function canonUnit(t: string): string[] {
  const out: string[] = [];
  pushUnit(out, t);
  return out;
}

/** Addresses stored as written: the exact folded word sequence, from a word that starts such a value. */
function writtenAsStored(w: Words, s: AddressScan): void {
  for (let i = 0; i < w.length; i++) {
    if (s.halted(i)) return;
    let key = addressWord(w.text(i));
    if (!key || s.look(ADDRESS_FIRST_KIND, key).length === 0) continue;
    let best: readonly string[] | null = null;
    let bestEnd = 0;
    let bestValue = '';
    for (let j = i; j < w.length && j - i < ADDRESS_AS_WRITTEN_WORDS; j++) {
      if (j > i) {
        if (!addressGap(w, j, true)) break;
        const f = addressWord(w.text(j));
        if (!f) continue;
        key += ' ' + f;
      }
      const hit = s.look('address', key);
      if (hit.length) {
        best = hit;
        bestEnd = w.end(j);
        bestValue = key;
      }
    }
    if (best) s.found(best, w.start(i), bestEnd, bestValue);
  }
}
