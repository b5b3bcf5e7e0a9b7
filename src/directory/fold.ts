/**
 * The letter fold every matcher shares: NFKD, combining marks removed, lower-case, and the letters NFKD leaves
 * alone folded by hand (ß → ss, ø → o, ł → l, đ/ð → d, þ → th, æ → ae, œ → oe, ı → i). Punctuation and spacing are
 * kept: names (normalize.ts foldText), street-type dictionaries (street-words.ts) and greetings
 * (detect/salutations.ts) each decide what to do with those.
 */
const FOLD_EXTRA: Record<string, string> = { ß: 'ss', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', æ: 'ae', œ: 'oe', ı: 'i' };
const FOLD_EXTRA_RE = /[ßøłđðþæœı]/g;
const MARKS = /\p{M}+/gu;

export function foldLetters(raw: string): string {
  const s = raw.normalize('NFKD').replace(MARKS, '').toLowerCase();
  return s.replace(FOLD_EXTRA_RE, (c) => FOLD_EXTRA[c] ?? c);
}
