import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize, type Word } from '../../src/detect/tokenize.js';

/** The definition the hand-written scanner must match exactly. */
function reference(text: string): Word[] {
  const WORD = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
  const out: Word[] = [];
  let prevEnd = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const t = m[0];
    const digits = /^[0-9]+$/.test(t);
    out.push({ start: m.index, end: m.index + t.length, text: t, digits, letters: !digits && /\p{L}/u.test(t), anyDigit: /[0-9]/.test(t), gap: text.slice(prevEnd, m.index) });
    prevEnd = m.index + t.length;
  }
  return out;
}

// characters that exercise every branch: ASCII, apostrophes, marks, non-Latin letters, other digits, astral
// letters and digits, emoji, lone surrogates, separators
const PIECES = ['a', 'Z', '7', '0', ' ', '  ', '-', '.', "'", '’', '\u0301', 'é', 'ß', 'Ж', '中', '٣', '१', '𝐀', '𝟘', '😀', '\ud800', '\udc00', '\u00a0', '\r\n', '#', '+', '/', '_', 'ʼ', 'ǅ', '\u200d'];

describe('tokenize', () => {
  it('finds the same words, flags and gaps as the Unicode regex it replaces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(tokenize(text)).toEqual(reference(text));
      }),
      { numRuns: 3000, seed: 20261122 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
      expect(tokenize(text)).toEqual(reference(text));
    }), { numRuns: 3000, seed: 7 });
  });

  it('splits a care reply into words with their separators', () => {
    const w = tokenize("Hello Zoë, it's order ORD-2024 (+1 415) don'");
    expect(w.map((x) => x.text)).toEqual(['Hello', 'Zoë', "it's", 'order', 'ORD', '2024', '1', '415', 'don']);
    expect(w.map((x) => x.gap)).toEqual(['', ' ', ', ', ' ', ' ', '-', ' (+', ' ', ') ']);
    expect(w.filter((x) => x.digits).map((x) => x.text)).toEqual(['2024', '1', '415']);
    expect(w.filter((x) => x.letters).length).toBe(6);
  });
});
