/**
 * The letter fold every matcher shares: NFKD, combining marks removed, lower-case, and the letters NFKD leaves
 * alone folded by hand (ß → ss, ø → o, ł → l, đ/ð → d, þ → th, æ → ae, œ → oe, ı → i). Punctuation and spacing are
 * kept: names (foldText below), street-type dictionaries (street-words.ts) and greetings
 * (detect/salutations.ts) each decide what to do with those.
 */
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

export function foldLetters(raw: string): string {
  const s = raw.normalize('NFKD').replace(MARKS, '').toLowerCase();
  return s.replace(FOLD_EXTRA_RE, (c) => FOLD_EXTRA[c] ?? c);
}

const DASHES = /[-‐‑‒–—]/g;
const NON_WORD = /[^\p{L}\p{N}\s]+/gu;
const SPACES = /\s+/g;

/**
 * Folds free text the way names are stored: NFKD, marks removed, lower-case, extra letters folded, hyphens to
 * spaces, other punctuation removed, whitespace collapsed.
 */
export function foldText(raw: string): string {
  return foldLetters(raw).replace(DASHES, ' ').replace(NON_WORD, '').replace(SPACES, ' ').trim();
}

/** Fast fold of one word (already free of whitespace): used by the detector per token. */
export function foldWord(word: string): string {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return foldText(word);
  }
  return word.toLowerCase();
}
