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
  /** Characters between the previous word and this one ('' for the first word: the text before it). */
  gap: string;
}

const WORD = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
const DIGITS = /^[0-9]+$/;
const LETTER = /\p{L}/u;

export function tokenize(text: string): Word[] {
  const out: Word[] = [];
  let prevEnd = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const t = m[0];
    const start = m.index;
    const digits = DIGITS.test(t);
    out.push({
      start,
      end: start + t.length,
      text: t,
      digits,
      letters: !digits && LETTER.test(t),
      gap: text.slice(prevEnd, start),
    });
    prevEnd = start + t.length;
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
