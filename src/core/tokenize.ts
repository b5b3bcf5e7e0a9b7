/**
 * One tokenisation per text segment: words (letters/digits, internal apostrophes) and the gaps between them.
 * Every recognizer works from these words; the directory cuts address cells into the same words
 * (directory/address.ts), so both sides build the same keys — hence core, below both.
 */

/*
 * A word is what /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{M}]+)*\/gu matches (letters, digits and marks, with internal
 * apostrophes followed by letters). The scanner below finds exactly those matches without the regex engine:
 * one table look-up per UTF-16 unit (the table is built once from the same Unicode properties): 25 µs instead
 * of 47 µs for the 830 words of the relay benchmark's 5 KB reply. test/core/tokenize.test.ts checks it against the regex.
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
    t[c] =
      WORD_CHAR |
      (lm.test(ch) ? LETTER_OR_MARK : 0) |
      (letter.test(ch) ? LETTER : 0) |
      (c >= 48 && c <= 57 ? ASCII_DIGIT : 0);
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

/** Flag bits of a word in `Words.flags`. */
const F_DIGITS = 1; // only ASCII digits
const F_LETTERS = 2; // at least one letter (and not only digits)
const F_ANY_DIGIT = 4; // at least one ASCII digit

/**
 * The words of one text segment, as parallel typed arrays: no object per word. A word's text and the gap before
 * it are strings only when asked for (`text(i)` is sliced once and kept; the gap predicates read character codes).
 * One buffer serves every segment of a message and, borrowed and handed back, message after message: what a
 * 5 KB reply allocates here is the word texts recognizers ask for (~17 KB), not ~100 KB of word objects.
 */
export class Words {
  /** The text the words were read from. */
  source = '';
  /** Number of words. */
  length = 0;
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);
  private flags = new Uint8Array(256);
  /** Word texts sliced so far, by index; as long as the arrays (holes are undefined, never past the end). */
  private texts: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);

  start(i: number): number {
    return this.starts[i]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  /** Only ASCII digits. */
  digits(i: number): boolean {
    return (this.flags[i]! & F_DIGITS) !== 0;
  }

  /** Contains at least one letter (and is not only digits). */
  letters(i: number): boolean {
    return (this.flags[i]! & F_LETTERS) !== 0;
  }

  /** Contains at least one ASCII digit. */
  anyDigit(i: number): boolean {
    return (this.flags[i]! & F_ANY_DIGIT) !== 0;
  }

  /** The word's text (one string per word, however often it is asked for). */
  text(i: number): string {
    let t = this.texts[i];
    if (t === undefined) {
      t = this.source.slice(this.starts[i], this.ends[i]);
      this.texts[i] = t;
    }
    return t;
  }

  /** The word starts with an ASCII digit. */
  startsWithDigit(i: number): boolean {
    const c = this.source.charCodeAt(this.starts[i]!);
    return c >= 48 && c <= 57;
  }

  /** Where the gap before word i starts: the previous word's end (0 for the first word). */
  gapStart(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  /** Characters between the previous word and word i ('' for the first word: the text before it). */
  gap(i: number): string {
    return this.source.slice(this.gapStart(i), this.starts[i]);
  }

  /** The gap before word i is exactly the one character `code`. */
  gapIs(i: number, code: number): boolean {
    const s = this.starts[i]!;
    return s - this.gapStart(i) === 1 && this.source.charCodeAt(s - 1) === code;
  }

  /** The gap before word i ends with `suffix` (ASCII). */
  gapEndsWith(i: number, suffix: string): boolean {
    const s = this.starts[i]!;
    const n = suffix.length;
    if (s - this.gapStart(i) < n) return false;
    for (let k = 0; k < n; k++) if (this.source.charCodeAt(s - n + k) !== suffix.charCodeAt(k)) return false;
    return true;
  }

  /** The gap before word i is 1–3 spaces, tabs or NBSPs (whitespace on one line). */
  spaceGap(i: number): boolean {
    return spaceRun(this.source, this.gapStart(i), this.starts[i]!);
  }

  /** The gap before word i is allowed inside a name: spaces, a hyphen, or ". " after a one-letter word i − 1. */
  nameGap(i: number): boolean {
    const from = this.gapStart(i);
    const to = this.starts[i]!;
    if (spaceRun(this.source, from, to)) return true;
    if (to - from === 1) {
      const c = this.source.charCodeAt(from);
      if (c === 45 || c === 0x2010) return true; // '-' '‐'
    }
    // ". " after an initial
    return (
      i > 0 &&
      this.ends[i - 1]! - this.starts[i - 1]! === 1 &&
      to > from &&
      this.source.charCodeAt(from) === 46 &&
      spaceRun(this.source, from + 1, to)
    );
  }

  /** The gap before word i is allowed inside a street: spaces, a hyphen, ". " (St. 12) or ", " (Main Street, 12). */
  streetGap(i: number): boolean {
    const from = this.gapStart(i);
    const to = this.starts[i]!;
    if (spaceRun(this.source, from, to)) return true;
    if (to - from === 1 && this.source.charCodeAt(from) === 45) return true;
    if (to === from) return false;
    const c = this.source.charCodeAt(from);
    return (c === 46 || c === 44) && spaceRun(this.source, from + 1, to);
  }

  /**
   * The gap before word i separates digit groups of one number: 1–3 of space - . / ( ) and what typesetters,
   * HTML and autocorrect put between digit groups: NBSP, U+2000–U+200A (thin, figure… space), narrow NBSP U+202F,
   * the Unicode hyphens and dashes U+2010–U+2013 (Outlook and Word turn " - " into " – ").
   */
  numberGap(i: number): boolean {
    const from = this.gapStart(i);
    const to = this.starts[i]!;
    if (to === from || to - from > 3) return false;
    for (let k = from; k < to; k++) {
      const c = this.source.charCodeAt(k);
      // ' ' '-' '.' '/' '(' ')' NBSP
      if (
        c !== 32 &&
        c !== 45 &&
        c !== 46 &&
        c !== 47 &&
        c !== 40 &&
        c !== 41 &&
        c !== 0xa0 &&
        !(c >= 0x2000 && c <= 0x200a) &&
        !(c >= 0x2010 && c <= 0x2013) &&
        c !== 0x202f
      )
        return false;
    }
    return true;
  }

  /** The gap before word i joins an exact token such as an order id: one of - _ / . (ORD-2024-0001, INV/77). */
  joinerGap(i: number): boolean {
    const s = this.starts[i]!;
    if (s - this.gapStart(i) !== 1) return false;
    const c = this.source.charCodeAt(s - 1);
    return c === 45 || c === 95 || c === 47 || c === 46; // - _ / .
  }

  /** Refills this buffer with the words of `text`. */
  fill(text: string): this {
    this.clear();
    this.source = text;
    const n = text.length;
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
      this.push(
        start,
        i,
        (digits ? F_DIGITS : 0) |
          (!digits && (any & LETTER) !== 0 ? F_LETTERS : 0) |
          ((any & ASCII_DIGIT) !== 0 ? F_ANY_DIGIT : 0),
      );
    }
    return this;
  }

  /** Forgets the text and its words (the buffers stay). */
  clear(): void {
    this.texts.fill(undefined, 0, this.length);
    this.source = '';
    this.length = 0;
  }

  /** Words the buffer holds without growing. */
  get capacity(): number {
    return this.starts.length;
  }

  private push(start: number, end: number, flags: number): void {
    const at = this.length;
    if (at === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
      this.starts = grow(this.starts, new Int32Array(at * 2));
      this.ends = grow(this.ends, new Int32Array(at * 2));
      this.flags = grow(this.flags, new Uint8Array(at * 2));
      // appended one by one, so the array stays packed (a write far past its end would make it a dictionary)
      for (let k = at; k < at * 2; k++) this.texts.push(undefined);
    }
    this.starts[at] = start;
    this.ends[at] = end;
    this.flags[at] = flags;
    this.length = at + 1;
  }
}

/** A buffer kept past this many words is dropped instead of kept for the next message (~1 MB). */
const MAX_KEPT_WORDS = 65_536;
let spare: Words | undefined;

/**
 * A word buffer for one message's detection, to hand back with `releaseWords` when it is done: detection is
 * synchronous, so one buffer serves message after message without allocating (a nested borrower gets its own).
 */
export function borrowWords(): Words {
  const w = spare ?? new Words();
  spare = undefined;
  return w;
}

/** Takes back a borrowed buffer. It is cleared first: it keeps no word of the message it held. */
export function releaseWords(w: Words): void {
  w.clear();
  if (w.capacity <= MAX_KEPT_WORDS) spare = w;
}

/** text[from, to) is 1–3 characters of space, tab or NBSP. */
function spaceRun(text: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > 3) return false;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 9 && c !== 0xa0) return false;
  }
  return true;
}
