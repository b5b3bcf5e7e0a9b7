import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { borrowWords, releaseWords, Words } from '../../src/core/tokenize.js';

const tokenize = (text: string) => new Words().fill(text);

interface Word {
  start: number;
  end: number;
  text: string;
  digits: boolean;
  letters: boolean;
  anyDigit: boolean;
  gap: string;
}

/** The definition the hand-written scanner must match exactly. */
function reference(text: string): Word[] {
  const WORD = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
  const out: Word[] = [];
  let prevEnd = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const t = m[0];
    const digits = /^[0-9]+$/.test(t);
    out.push({
      start: m.index,
      end: m.index + t.length,
      text: t,
      digits,
      letters: !digits && /\p{L}/u.test(t),
      anyDigit: /[0-9]/.test(t),
      gap: text.slice(prevEnd, m.index),
    });
    prevEnd = m.index + t.length;
  }
  return out;
}

function asObjects(w: Words): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < w.length; i++) {
    out.push({
      start: w.start(i),
      end: w.end(i),
      text: w.text(i),
      digits: w.digits(i),
      letters: w.letters(i),
      anyDigit: w.anyDigit(i),
      gap: w.gap(i),
    });
  }
  return out;
}

// The gap rules as they were written over gap strings; the buffer's predicates read character codes instead.
const isSpaceGap = (gap: string) => /^[ \t\u00a0]{1,3}$/.test(gap);
const isNameGap = (gap: string, prev: Word) =>
  isSpaceGap(gap) ||
  gap === '-' ||
  gap === '‐' ||
  (prev.text.length === 1 && gap.startsWith('.') && isSpaceGap(gap.slice(1)));
const isStreetGap = (gap: string) =>
  isSpaceGap(gap) || gap === '-' || ((gap.startsWith('.') || gap.startsWith(',')) && isSpaceGap(gap.slice(1)));
// NBSP, U+2000–U+200A (thin, figure… space), Unicode hyphens and dashes U+2010–U+2013, narrow NBSP U+202F
const isNumberGap = (gap: string) => /^[ \-./()\u00a0\u2000-\u200a\u2010-\u2013\u202f]{1,3}$/.test(gap);
const isTokenJoiner = (gap: string) => gap === '-' || gap === '_' || gap === '/' || gap === '.';

// characters that exercise every branch: ASCII, apostrophes, marks, non-Latin letters, other digits, astral
// letters and digits, emoji, lone surrogates, separators
const PIECES = [
  'a',
  'Z',
  '7',
  '0',
  ' ',
  '  ',
  '-',
  '.',
  "'",
  '’',
  '\u0301',
  'é',
  'ß',
  'Ж',
  '中',
  '٣',
  '१',
  '𝐀',
  '𝟘',
  '😀',
  '\ud800',
  '\udc00',
  '\u00a0',
  '\r\n',
  '#',
  '+',
  '/',
  '_',
  'ʼ',
  'ǅ',
  '\u200d',
  '\t',
  ',',
  '(',
  ')',
  '‐',
  '+(',
  '. ',
  '\u202f',
  '\u2009',
  '–',
];

describe('tokenize', () => {
  it('finds the same words, flags and gaps as the Unicode regex it replaces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(asObjects(tokenize(text))).toEqual(reference(text));
      }),
      { numRuns: 3000, seed: 20261122 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(asObjects(tokenize(text))).toEqual(reference(text));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('answers the gap rules as the string definitions do', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const w = tokenize(text);
        const ref = reference(text);
        for (let i = 0; i < w.length; i++) {
          const gap = ref[i]!.gap;
          expect(w.spaceGap(i)).toBe(isSpaceGap(gap));
          if (i > 0) expect(w.nameGap(i)).toBe(isNameGap(gap, ref[i - 1]!));
          expect(w.streetGap(i)).toBe(isStreetGap(gap));
          expect(w.numberGap(i)).toBe(isNumberGap(gap));
          expect(w.joinerGap(i)).toBe(isTokenJoiner(gap));
          for (const c of ['-', '/', ' ', '\t']) expect(w.gapIs(i, c.charCodeAt(0))).toBe(gap === c);
          for (const suffix of ['+', '+(', '(']) expect(w.gapEndsWith(i, suffix)).toBe(gap.endsWith(suffix));
        }
      }),
      { numRuns: 3000, seed: 20261202 },
    );
  });

  it('splits a care reply into words with their separators', () => {
    const w = asObjects(tokenize("Hello Zoë, it's order ORD-2024 (+1 415) don'"));
    expect(w.map((x) => x.text)).toEqual(['Hello', 'Zoë', "it's", 'order', 'ORD', '2024', '1', '415', 'don']);
    expect(w.map((x) => x.gap)).toEqual(['', ' ', ', ', ' ', ' ', '-', ' (+', ' ', ') ']);
    expect(w.filter((x) => x.digits).map((x) => x.text)).toEqual(['2024', '1', '415']);
    expect(w.filter((x) => x.letters).length).toBe(6);
  });

  it('one buffer serves text after text: a refill forgets the previous words, and grows past its first size', () => {
    const w = new Words();
    const long = Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ');
    w.fill(long);
    expect(w.length).toBe(1000);
    expect(w.text(999)).toBe('w999');
    w.fill('Maria Gonzalez');
    expect(asObjects(w)).toEqual(reference('Maria Gonzalez'));
    w.fill(long.slice(0, 40));
    expect(asObjects(w)).toEqual(reference(long.slice(0, 40)));
  });

  it("a borrowed buffer is handed back empty, and a second borrower never shares the first one's", () => {
    const a = borrowWords();
    const b = borrowWords();
    expect(b).not.toBe(a);
    a.fill('Maria Gonzalez, 12 Market Street');
    b.fill('other text');
    expect(a.text(0)).toBe('Maria');
    releaseWords(a);
    expect(a.length).toBe(0);
    expect(a.source).toBe('');
    expect(a.gap(0)).toBe(''); // nothing of the released text is left to read
    releaseWords(b);
    const c = borrowWords();
    expect(c.length).toBe(0);
    c.fill('Maria Gonzalez');
    expect(asObjects(c)).toEqual(reference('Maria Gonzalez'));
    releaseWords(c);
  });
});
