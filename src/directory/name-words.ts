/**
 * Words around personal names: courtesy titles, surname particles, name suffixes, and the name orders CRMs
 * export (`LAST, First`, `MÜLLER Hans`). Used by the importer (through normalizeName: a directory name is stored
 * in natural order, titles dropped) and by the detector (titles in greetings, particles in long names, the
 * reversed orders in text). Every word here is *folded* (NFKD, marks removed, lower-case, punctuation removed),
 * the form foldWord/foldText give.
 *
 * Titles: the courtesy subset of libpostal's `resources/dictionaries/<lang>/personal_titles.txt`
 * (openvenues/libpostal: en, es, fr, it, pt, pl, tr), completed with the everyday forms libpostal lacks (de, nl,
 * the Nordic languages, pl Pan/Pani, tr Bay/Bayan/Sayın, vi Ông/Bà/Anh/Chị).
 */

/**
 * Titles written before a surname or a full name (`Mr`, `Frau`, `Sra.`, `Sig.ra`, `Dhr.`, `Pani`, `Ông` …).
 * Compound abbreviations written with an inner dot (`Sig.ra`, `Dott.ssa`, `Sr.ª`) fold to one word
 * (`sigra`, `dottssa`, `sra`).
 */
export const TITLES: ReadonlySet<string> = new Set([
  // en
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'mister',
  'missus',
  'dr',
  'doctor',
  'prof',
  'professor',
  'sir',
  'dame',
  'madam',
  'lady',
  'lord',
  'rev',
  'reverend',
  // de, at, ch
  'herr',
  'herrn',
  'frau',
  'fraulein',
  'frl',
  // es
  'senor',
  'sr',
  'senora',
  'sra',
  'senorita',
  'srta',
  'don',
  'dona',
  'dra',
  'doctora',
  'lic',
  'licenciado',
  'licenciada',
  'ing',
  'ingeniero',
  'ingeniera',
  'profa',
  'profesor',
  'profesora',
  // fr
  'monsieur',
  'm',
  'madame',
  'mme',
  'mademoiselle',
  'mlle',
  'docteur',
  'maitre',
  'professeur',
  'pr',
  // it
  'signor',
  'signore',
  'sig',
  'signora',
  'sigra',
  'signorina',
  'signa',
  'dott',
  'dottore',
  'dottoressa',
  'dottssa',
  'drssa',
  'avv',
  'avvocato',
  'arch',
  'profssa',
  'professoressa',
  'ingegnere',
  // pt
  'senhor',
  'senhora',
  'senhorita',
  'dom',
  'doutor',
  'doutora',
  'eng',
  'engenheiro',
  'engenheira',
  // nl, be
  'heer',
  'meneer',
  'mevrouw',
  'mevr',
  'mw',
  'dhr',
  'mej',
  'juffrouw',
  'drs',
  'ir',
  // da, no, sv
  'hr',
  'fr',
  'fru',
  'froken',
  'frk',
  // pl
  'pan',
  'pani',
  'panie',
  'panstwo',
  'inz',
  'mgr',
  // tr
  'bay',
  'bayan',
  'sayin',
  'sn',
  // vi
  'ong',
  'ba',
  'anh',
  'chi',
  'co',
  'chu',
  'bac',
  // ru
  'господин',
  'госпожа',
]);

/**
 * The part after an inner dot of a compound title (`Sig.ra`, `Sig.na`, `Dott.ssa`, `Sr.ª`, `Prof.ª`): in text the
 * tokenizer sees two words; these second words join the first.
 */
export const TITLE_TAILS: ReadonlySet<string> = new Set(['ra', 'na', 'ssa', 'a']);

/**
 * Titles that are also common given names or surnames (`Don Johnson`, `Pan Wei`, `Anh Nguyen`, `Ong Beng Seng`,
 * `M` as an initial): stripped from a directory name only when written with a dot (`Don.`) — in text they count
 * only in a greeting, where a title is expected.
 */
const AMBIGUOUS_TITLES: ReadonlySet<string> = new Set([
  'don',
  'dona',
  'dom',
  'pan',
  'bay',
  'anh',
  'ong',
  'ba',
  'chi',
  'co',
  'chu',
  'bac',
  'm',
  'pr',
  'fr',
  'hr',
  'sir',
  'dame',
  'lady',
  'lord',
  'ing',
  'arch',
  'eng',
  'ir',
  'sn',
  'lic',
  'mw',
]);

/** Surname particles: part of the surname (`van der Berg`, `dos Santos`, `bin Ismail`, `de la Fuente`). */
export const PARTICLES: ReadonlySet<string> = new Set([
  'van',
  'der',
  'den',
  'de',
  'del',
  'della',
  'dei',
  'degli',
  'la',
  'le',
  'los',
  'las',
  'dos',
  'das',
  'do',
  'da',
  'di',
  'du',
  'des',
  'bin',
  'binti',
  'bint',
  'ibn',
  'al',
  'el',
  'von',
  'zu',
  'zum',
  'zur',
  'ter',
  'ten',
  'te',
  'op',
  'het',
  'y',
  'e',
  'i',
  'af',
  'av',
  'mac',
  'st',
  'ben',
  'abu',
  'ap',
]);

/** Suffixes after a full name (`John Smith, Jr.`): dropped from directory names. */
const NAME_SUFFIXES: ReadonlySet<string> = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq', 'jun', 'sen']);

/** Folds one word the way names are folded (for the raw directory cell, before foldText). */
type Fold = (raw: string) => string;

/** True for a word written in capitals (at least two letters, none lower-case): `MÜLLER`, `VAN`. */
export function isAllCaps(word: string): boolean {
  let letters = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 65 && c <= 90) letters++;
    else if (c >= 97 && c <= 122) return false;
    else if (c > 127) {
      const ch = word[i]!;
      const lo = ch.toLowerCase();
      const up = ch.toUpperCase();
      if (lo === up) continue; // not a cased letter (mark, apostrophe, CJK)
      if (ch === lo) return false;
      letters++;
    }
  }
  return letters >= 2;
}

/** True for a word that starts with a capital and is not all capitals: `Hans`, `María`. */
export function isCapitalised(word: string): boolean {
  const ch = String.fromCodePoint(word.codePointAt(0) ?? 32);
  return ch !== ch.toLowerCase() && !isAllCaps(word);
}

/**
 * A directory name cell in natural order (given names first), titles and suffixes removed, not yet folded:
 * - `MÜLLER, Hans`, `van der Berg, Anna`, `García López, María José` (one comma: the part before it is the
 *   surname) → `Hans MÜLLER`, `Anna van der Berg`, `María José García López`; `Smith, John, Jr.` likewise.
 * - `MÜLLER Hans`, `GARCÍA LÓPEZ María José` (a run of all-capital words before capitalised ones: the French /
 *   East Asian administrative order) → `Hans MÜLLER`, `María José GARCÍA LÓPEZ`. A name entirely in capitals
 *   (`HANS MÜLLER`) is taken as natural order: nothing tells the parts apart.
 * - leading titles (`Dr. Hans Müller`, `Müller, Dr. Hans`) are dropped while two words remain; a title that is
 *   also a common name (`Don`, `Pan`, `Anh`) only when written with a dot.
 */
export function naturalNameOrder(raw: string, fold: Fold): string {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  while (parts.length > 1 && isSuffix(parts[parts.length - 1]!, fold)) parts.pop();
  let words: string[];
  if (parts.length === 2) {
    const given = stripTitles(parts[1]!.split(/\s+/), fold, 1);
    words = [...given, ...parts[0]!.split(/\s+/)];
  } else {
    words = parts.join(' ').split(/\s+/).filter(Boolean);
  }
  words = stripTitles(words, fold, 2);
  // trailing suffix written without a comma: "John Smith Jr."
  while (words.length > 2 && NAME_SUFFIXES.has(fold(words[words.length - 1]!))) words.pop();
  // surname first in capitals: MÜLLER Hans, VAN DER BERG Anna
  let caps = 0;
  while (caps < words.length && isAllCaps(words[caps]!)) caps++;
  if (caps > 0 && caps < words.length && words.slice(caps).every((w) => isCapitalised(w))) {
    words = [...words.slice(caps), ...words.slice(0, caps)];
  }
  return words.join(' ');
}

function isSuffix(part: string, fold: Fold): boolean {
  const w = part.split(/\s+/);
  return w.length === 1 && NAME_SUFFIXES.has(fold(w[0]!));
}

/** Drops leading titles while at least `keep` words remain. */
function stripTitles(words: string[], fold: Fold, keep: number): string[] {
  let i = 0;
  while (words.length - i > keep) {
    const w = words[i]!;
    const f = fold(w);
    const dotted = w.endsWith('.') || w.includes('.');
    if (!TITLES.has(f) || (AMBIGUOUS_TITLES.has(f) && !dotted)) break;
    i++;
  }
  return i === 0 ? words : words.slice(i);
}

/**
 * The surname keys of a folded natural-order full name (`anna van der berg`): every run of words after the first
 * that is not only particles, up to four words (`van der berg`, `der berg`, `berg`, `van der` is not: only
 * particles … and for `maria jose garcia lopez`: `jose garcia lopez`, `garcia lopez`, `garcia`, `lopez`, …). A
 * greeting that names someone by title and surname (`Dear Mr van der Berg`, `Estimada Sra. García`) is looked up
 * among these. Two-word names have one key (the second word).
 */
export function surnameKeys(folded: string): string[] {
  const w = folded.split(' ');
  const out = new Set<string>();
  for (let a = 1; a < w.length; a++) {
    for (let b = a; b < w.length && b - a < 4; b++) {
      const run = w.slice(a, b + 1);
      if (run.every((x) => PARTICLES.has(x))) continue;
      if (PARTICLES.has(run[run.length - 1]!)) continue; // "van der" of "van der berg"
      out.add(run.join(' '));
    }
  }
  return [...out];
}
