/**
 * One tokenisation per text segment: words (letters/digits, internal apostrophes) with the gap text before each.
 * Every recognizer works from these tokens.
 */

export interface Word {
  start: number;
  end: number;
  text: string;
  /** Only ASCII digits. */
  digits: boolean;
  /** Contains at least one letter. */
  letters: boolean;
  /** Contains at least one ASCII digit. */
  anyDigit: boolean;
  /** Characters between the previous word and this one ('' for the first word: the text before it). */
  gap: string;
}

/*
 * A word is what /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{M}]+)*\/gu matches (letters, digits and marks, with internal
 * apostrophes followed by letters). The scanner below finds exactly those matches without the regex engine:
 * one table look-up per UTF-16 unit (the table is built once from the same Unicode properties): 25 µs instead
 * of 47 µs for the 830 words of the relay benchmark's 5 KB reply. test/detect/tokenize.test.ts checks it against the regex.
 */
const WORD_CHAR = 1; // \p{L} \p{N} \p{M}
const LETTER_OR_MARK = 2; // \p{L} \p{M}
const LETTER = 4; // \p{L}
const ASCII_DIGIT = 8;

const CLASSES: Uint8Array = (() => {
  const t = new Uint8Array(0x10000);
  const word = /[\p{L}\p{N}\p{M}]/u;
  const lm = /[\p{L}\p{M}]/u;
  const letter = /\p{L}/u;
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue; // surrogates: classified per pair below
    const ch = String.fromCharCode(c);
    if (!word.test(ch)) continue;
    t[c] = WORD_CHAR | (lm.test(ch) ? LETTER_OR_MARK : 0) | (letter.test(ch) ? LETTER : 0) | (c >= 48 && c <= 57 ? ASCII_DIGIT : 0);
  }
  return t;
})();
const ASTRAL_WORD = /^[\p{L}\p{N}\p{M}]$/u;
const ASTRAL_LM = /^[\p{L}\p{M}]$/u;
const ASTRAL_LETTER = /^\p{L}$/u;

/** Class bits of the code point at i and its length in UTF-16 units (2 for a surrogate pair). */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) return CLASSES[c]!;
  const d = text.charCodeAt(i + 1);
  if (d < 0xdc00 || d > 0xdfff) return 0;
  const ch = text.slice(i, i + 2);
  if (!ASTRAL_WORD.test(ch)) return 0;
  return WORD_CHAR | (ASTRAL_LM.test(ch) ? LETTER_OR_MARK : 0) | (ASTRAL_LETTER.test(ch) ? LETTER : 0) | 16;
}
/** Bit set by classAt for a surrogate pair (two units). */
const PAIR = 16;

export function tokenize(text: string): Word[] {
  const out: Word[] = [];
  const n = text.length;
  let prevEnd = 0;
  let i = 0;
  while (i < n) {
    let k = classAt(text, i);
    if (!(k & WORD_CHAR)) {
      i += k & PAIR ? 2 : 1;
      continue;
    }
    const start = i;
    let all = ASCII_DIGIT;
    let any = 0;
    // [\p{L}\p{N}\p{M}]+
    do {
      all &= k;
      any |= k;
      i += k & PAIR ? 2 : 1;
      k = i < n ? classAt(text, i) : 0;
    } while (k & WORD_CHAR);
    // (?:['’][\p{L}\p{M}]+)*
    for (;;) {
      const a = i < n ? text.charCodeAt(i) : 0;
      if (a !== 39 && a !== 0x2019) break;
      let kk = i + 1 < n ? classAt(text, i + 1) : 0;
      if (!(kk & LETTER_OR_MARK)) break;
      all = 0; // an apostrophe: not only digits
      i++;
      do {
        any |= kk;
        i += kk & PAIR ? 2 : 1;
        kk = i < n ? classAt(text, i) : 0;
      } while (kk & LETTER_OR_MARK);
    }
    const digits = (all & ASCII_DIGIT) !== 0;
    out.push({
      start,
      end: i,
      text: text.slice(start, i),
      digits,
      letters: !digits && (any & LETTER) !== 0,
      anyDigit: (any & ASCII_DIGIT) !== 0,
      gap: text.slice(prevEnd, start),
    });
    prevEnd = i;
  }
  return out;
}

/** Whitespace on one line. */
export function isSpaceGap(gap: string): boolean {
  if (gap.length === 0 || gap.length > 3) return false;
  for (let i = 0; i < gap.length; i++) {
    const c = gap.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 0xa0) return false;
  }
  return true;
}

/** Gap allowed inside a name: spaces, a hyphen, or ". " after an initial. */
export function isNameGap(gap: string, prev: Word): boolean {
  if (isSpaceGap(gap) || gap === '-' || gap === '‐') return true;
  return prev.text.length === 1 && gap.startsWith('.') && isSpaceGap(gap.slice(1));
}

/** Gap allowed inside a street: spaces, hyphen, ". " (St. 12), ", " (Main Street, 12). */
export function isStreetGap(gap: string): boolean {
  if (isSpaceGap(gap) || gap === '-') return true;
  return (gap.startsWith('.') || gap.startsWith(',')) && isSpaceGap(gap.slice(1));
}

/** Separator between digit groups of one number: up to 3 of space, - . / ( ) on one line. */
export function isNumberGap(gap: string): boolean {
  if (gap.length === 0 || gap.length > 3) return false;
  for (let i = 0; i < gap.length; i++) {
    const c = gap[i];
    if (c !== ' ' && c !== '-' && c !== '.' && c !== '/' && c !== '(' && c !== ')' && c !== '\u00a0') return false;
  }
  return true;
}

/** Joiners inside an exact token such as an order id: ORD-2024-0001, INV/77, A_1, v1.2 */
export function isTokenJoiner(gap: string): boolean {
  return gap === '-' || gap === '_' || gap === '/' || gap === '.';
}
