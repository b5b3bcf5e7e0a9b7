/**
 * Greetings and the titles after them, in the languages of the directory's customers: what makes a name at the
 * top of a mail the name of the person it is written to (greeting drift, src/decide/checks.ts) and what lets the
 * detector read `Dear Mr van der Berg` / `Sehr geehrte Frau Müller` / `Estimada Sra. García` as a name
 * (src/detect/recognizers.ts). Lists are folded (diacritics removed, lower-case); the text before a name is folded
 * the same way before it is matched, so `Chère`, `Dzień dobry`, `Kính gửi`, `SAYIN` need no variants.
 */
import { foldLetters } from '../directory/fold.js';
import { TITLE_TAILS, TITLES } from '../directory/name-words.js';

/**
 * Finding kind of a surname named after a greeting and a title (`Dear Mr van der Berg`): weak, and only found in
 * a greeting, so that greeting drift sees greetings without a first name. A surname alone, or after a title in
 * running text (`Mr Wunderland said`), is never a finding.
 */
export const GREETING_NAME_KIND = 'greeting_name';

/**
 * Greeting phrases (regex source over folded text; `\s+` between words). Gender-inclusive endings
 * (`geehrte/r`, `Estimado/a`, `Prezado(a)`, `Szanowny/a`, `Liebe*r`) are allowed after every phrase.
 */
const GREETINGS: readonly string[] = [
  // en
  'hi',
  'hello',
  'hey',
  'dear',
  'dearest',
  'good\\s+(?:morning|afternoon|evening|day)',
  'greetings',
  'morning',
  // de
  'hallo',
  'liebe[rs]?',
  'sehr\\s+geehrte[rs]?',
  'geehrte[rs]?',
  'guten\\s+(?:tag|morgen|abend)',
  'moin',
  'servus',
  'gruss\\s+gott',
  'gruezi',
  'gruessgott',
  // es
  'hola',
  'estimad[oa]s?',
  'querid[oa]s?',
  'apreciad[oa]s?',
  'distinguid[oa]s?',
  'buen[oa]s\\s+(?:dias|tardes|noches)',
  // fr
  'bonjour',
  'bonsoir',
  'salut',
  'cher',
  'chere',
  'chers',
  'cheres',
  'madame',
  'monsieur',
  'mademoiselle',
  // it
  'ciao',
  'car[oa]',
  'gentile',
  'gentilissim[oa]',
  'egregi[oa]',
  'buongiorno',
  'buonasera',
  'salve',
  'spettabile',
  // pt
  'ola',
  'prezad[oa]s?',
  'bom\\s+dia',
  'boa\\s+(?:tarde|noite)',
  'exm[oa]',
  'ilm[oa]',
  // nl
  'beste',
  'geachte',
  'hoi',
  'goedemorgen',
  'goedemiddag',
  'goedenavond',
  'lieve',
  // pl
  'szanown[yaie]',
  'dzien\\s+dobry',
  'witam',
  'witaj',
  'drog[ia]',
  // tr
  'sayin',
  'merhaba',
  'degerli',
  'iyi\\s+gunler',
  'sevgili',
  // vi
  'kinh\\s+gui',
  'kinh\\s+thua',
  'than\\s+gui',
  'xin\\s+chao',
  'chao',
  // ru (folded: й → и)
  'уважаем(?:ыи|ая|ые)',
  'здравствуите',
  'добрыи\\s+(?:день|вечер)',
  'доброе\\s+утро',
  'дорог(?:ои|ая|ие)',
  // da, no, sv
  'hej',
  'hei',
  'kaere',
  'kjaere',
  'kara',
  'baste',
  'goddag',
  'god\\s+dag',
  'god\\s+morgen',
];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TITLE_SRC = `(?:de[ \\t]+)?(?:${[...TITLES].map(escape).join('|')})(?:\\.(?:${[...TITLE_TAILS].join('|')}))?\\.?`;
/** Between greeting, titles and name: spaces and commas on the same line (`Hello,\n\nMr Müller said` is no greeting). */
const SAME_LINE = '[ \\t\\u00a0,]*';
const INCLUSIVE = '(?:[/*:_](?:[a-z]{1,2})|\\([a-z]{1,2}\\))?';
/** A greeting (after a start or a separator), up to three titles, then the end of the text before the name. */
const GREETING_BEFORE = new RegExp(
  `(?:^|[\\s>,.;:!(\\[])(?:${GREETINGS.join('|')})${INCLUSIVE}\\.?${SAME_LINE}(?:${TITLE_SRC}${SAME_LINE}){0,3}$`,
  'u',
);

/** How far before a name a greeting (with its titles) is looked for. */
const LOOK_BACK = 64;

/**
 * True when the text right before `offset` ends with a greeting and optional titles:
 * `Dear `, `Sehr geehrte Frau Dr. `, `Estimado/a Sr. `, `Geachte heer `, `Gentile Sig.ra `, `Szanowna Pani `,
 * `Sayın `, `Kính gửi Ông `, `Chère Madame `, or a bare `Madame ` / `Monsieur ` / `Sayın `.
 */
export function precededByGreeting(text: string, offset: number): boolean {
  const from = Math.max(0, offset - LOOK_BACK);
  // Cut mid-text: a leading sentinel keeps `^` from matching inside a word.
  const before = (from > 0 ? '\u0001' : '') + foldLetters(text.slice(from, offset));
  return GREETING_BEFORE.test(before);
}

/** The folded title a word is (`Mr` → `mr`, `Sayın` → `sayin`), given its folded form, or null. */
export function isTitle(folded: string): boolean {
  return TITLES.has(folded);
}

export { TITLE_TAILS };

/** Titles are looked for in the first characters of each text segment only (where greetings are). */
export const GREETING_SCAN = 1000;

function spaces(text: string, from: number, to: number): boolean {
  if (to - from > 3) return false;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 9 && c !== 0xa0) return false;
  }
  return true;
}

/** The gap `from..to` is a comma and 0–3 spaces on the same line (`Müller, Hans`, `Müller,Hans`). */
export function commaGap(text: string, from: number, to: number): boolean {
  return to > from && text.charCodeAt(from) === 44 && spaces(text, from + 1, to);
}

/** The gap after a title: 1–3 spaces, or a dot and 0–3 spaces (`Mr Smith`, `Mr. Smith`, `Sr.García`). */
export function titleGap(text: string, from: number, to: number): boolean {
  if (to === from) return false;
  if (text.charCodeAt(from) === 46) return spaces(text, from + 1, to);
  return spaces(text, from, to);
}

/** True when a blank line (two line breaks with only spaces between) ends at `i` (the second break). */
function blankLineAt(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 10) return false;
  for (let k = i - 1; k >= 0; k--) {
    const c = text.charCodeAt(k);
    if (c === 10) return true;
    if (c !== 13 && c !== 32 && c !== 9) return false;
  }
  return false;
}

/** Where the paragraph around `start` begins, looking back at most `radius` characters (a blank line ends it). */
export function paragraphStart(text: string, start: number, radius: number): number {
  const from = Math.max(0, start - radius);
  for (let i = start - 1; i >= from; i--) if (blankLineAt(text, i)) return i + 1;
  return from;
}

/** Where the paragraph around `end` ends, looking ahead at most `radius` characters. */
export function paragraphEnd(text: string, end: number, radius: number): number {
  const to = Math.min(text.length, end + radius);
  for (let i = end; i < to; i++) if (blankLineAt(text, i)) return i;
  return to;
}
