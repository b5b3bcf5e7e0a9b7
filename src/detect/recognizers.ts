/**
 * Recognizers: turn the tokens of one text segment into candidates, normalise them with the directory's own
 * normalisers and look them up. No per-customer patterns: every lookup is one keyed hash + index probe.
 */
import type { Finding, Strength, TextSegment } from '../core/types.js';
import type { DirectoryView } from '../directory/directory.js';
import {
  foldWord,
  luhnValid,
  normalizeEmail,
  normalizePhone,
  normalizePostalCode,
  normalizeToken,
} from '../directory/normalize.js';
import { NAME_FIRST_KIND, NAME_LAST_KIND } from '../directory/change-batch.js';
import { isAllCaps, PARTICLES } from '../directory/name-words.js';
import {
  commaGap,
  GREETING_NAME_KIND,
  paragraphEnd,
  paragraphStart,
  GREETING_SCAN,
  isTitle,
  precededByGreeting,
  TITLE_TAILS,
  titleGap,
} from './salutations.js';
import { RecentMap, RecentSet } from '../core/recent.js';
import { ibanCandidates } from './iban.js';
import { maskValue } from './mask.js';
import { unicodeEmailMatches } from './email-idn.js';
import { Words } from '../core/tokenize.js';
import { mayHoldAsWritten, scanAddresses } from './address-scan.js';

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

// Reliability fix (issue 7, test/reliability/hostile.test.ts): the unbounded `[…]+@` made this regex quadratic
// on long runs of local-part characters in a segment that contains an '@' anywhere (1 MB of letters or dashes:
// minutes of blocked event loop, so even scanTimeout could not fire). Local part bounded to 64 characters and
// anchored at a non-local-part character, labels to 63 (RFC 5321 §4.5.3.1): linear time. Longer local parts
// cannot be directory values (RFC limit), so no finding is lost.
const EMAIL_RE =
  /(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+/y;

/** A character of EMAIL_RE's local part: A-Z a-z 0-9 . _ % + ' - */
function isLocalPartChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 39 ||
    c === 45
  );
}

/**
 * The matches EMAIL_RE (as a global regex) finds in `text`, found from each '@' instead of trying the pattern at
 * every position of the segment. Every match holds exactly one '@' and starts where the run of local-part
 * characters before it starts (the look-behind admits no other start), so one sticky attempt per '@' suffices.
 * test/detect/recognizers.test.ts checks this against the global regex.
 */
export function* emailMatches(text: string): Generator<RegExpExecArray> {
  let lastEnd = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start <= 64 && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    if (start === at || at - start > 64 || start < lastEnd) continue;
    EMAIL_RE.lastIndex = start;
    const m = EMAIL_RE.exec(text);
    if (m) {
      lastEnd = start + m[0].length;
      yield m;
    }
  }
}

/** Address confirmation radius (characters) for postal code / city of the same customer. */
export const ADDRESS_CONTEXT = 100;

interface NumberHit {
  kind: string;
  customers: readonly string[];
  start: number;
  end: number;
  normalized: string;
}

interface TokenHit {
  kind: string;
  customers: readonly string[];
  normalized: string;
}

const NO_TOKEN_HITS: readonly TokenHit[] = Object.freeze([]);
const NO_CUSTOMERS: readonly string[] = Object.freeze([]);

interface PhoneHit {
  e164: string;
  customers: readonly string[];
}

/**
 * What detection remembers across messages, per directory and its generation, and only about text that is no
 * customer's value (hotline numbers in signatures, the common words of every reply): the next message skips
 * their parse or keyed hash. Bounded (the older of two generations is dropped); replaced when the directory
 * changes.
 */
export interface SharedMisses {
  /** Digit runs that are no customer's phone: `raw \0 region` → E.164 (null: not a phone number). */
  phones: RecentMap<string, string | null>;
  /** Words (as written) that are no customer's first name. */
  notFirstNames: RecentSet<string>;
}
const sharedMissesByDirectory = new WeakMap<DirectoryView, { generation: number; misses: SharedMisses }>();
/** Each memo keeps the last 25,000 to 50,000 entries. */
const SHARED_MISS_GENERATION = 25_000;

export interface ScanContext {
  directory: DirectoryView;
  kinds: ReadonlySet<string>;
  /** Regions to try for national phone formats. */
  regions: readonly string[];
  /** Exact-token kinds present (order_id and custom kinds). */
  tokenKinds: readonly string[];
  /** Exact-token kinds that hold values without digits (tried on every token). */
  digitlessTokenKinds: readonly string[];
  /** Per-message memo of lookups and phone parses (words repeat; each keyed hash costs ~0.5 µs). */
  memo: Map<string, readonly string[]>;
  phoneMemo: Map<string, string | null>;
  /** Cross-message: what is known to be no customer's value (see SharedMisses). */
  shared: SharedMisses;
  /** Per-message memo by a word's raw text: its folded form, for words that are some customer's first name (the
   * misses are in `shared.notFirstNames`). */
  firstNames: Map<string, string>;
  /** Per-message memo by a token's raw text: the exact-token kinds it matched (empty when none). */
  tokenHits: Map<string, readonly TokenHit[]>;
  /** The word buffer every segment of the message is tokenised into (one at a time). */
  words: Words;
  /** performance.now() past which scanning stops (the message is then unscannable: fail closed). */
  deadline: number;
  /** Findings after which scanning stops (the decision is made; more only costs memory). */
  maxFindings: number;
  /** Why scanning stopped early, if it did. */
  stopped: 'timeout' | 'findings' | null;
  /**
   * The From display names, folded and padded with spaces (` anna schmidt `): a full name the sender signs with is
   * the agent's, and the office city under a signature must not turn a customer namesake into strong evidence.
   */
  senderNames: readonly string[];
}

/** The cross-message misses of this directory's current content. */
export function sharedMissesFor(directory: DirectoryView): SharedMisses {
  const gen = directory.generation();
  let m = sharedMissesByDirectory.get(directory);
  if (!m || m.generation !== gen) {
    m = {
      generation: gen,
      misses: { phones: new RecentMap(SHARED_MISS_GENERATION), notFirstNames: new RecentSet(SHARED_MISS_GENERATION) },
    };
    sharedMissesByDirectory.set(directory, m);
  }
  return m.misses;
}

export class SegmentScanner {
  private readonly words: Words;
  private readonly seen = new Set<string>();
  private readonly amongMemo = new WeakMap<readonly string[], Map<string, string[]>>();

  constructor(
    private readonly seg: TextSegment,
    private readonly ctx: ScanContext,
    private readonly out: Finding[],
  ) {
    this.words = ctx.words.fill(seg.text);
  }

  run(): void {
    const k = this.ctx.kinds;
    if (k.has('email') && !this.halted(0)) this.emails();
    if ((k.has('phone') || k.has('imei') || k.has('card')) && !this.halted(0)) this.numbers();
    if (k.has('iban') && !this.halted(0)) this.ibans();
    if (this.ctx.tokenKinds.length > 0 && !this.halted(0)) this.tokens();
    if (k.has('full_name') && !this.halted(0)) this.names();
    if (k.has('address') && !this.halted(0)) this.addresses();
  }

  /** True once the deadline passed or the findings limit was reached (checked every 256 steps for time). */
  private halted(step: number): boolean {
    const ctx = this.ctx;
    if (ctx.stopped) return true;
    if (this.out.length >= ctx.maxFindings) ctx.stopped = 'findings';
    else if ((step & 255) === 0 && performance.now() > ctx.deadline) ctx.stopped = 'timeout';
    return ctx.stopped !== null;
  }

  private look(kind: string, normalized: string): readonly string[] {
    const key = kind + '\0' + normalized;
    let hit = this.ctx.memo.get(key);
    if (hit === undefined) {
      hit = this.ctx.directory.lookup(kind, normalized);
      this.ctx.memo.set(key, hit);
    }
    return hit;
  }

  /** The folded word when it is some customer's first name, else null (one keyed hash per distinct word). */
  private firstName(word: string): string | null {
    let key: string | null | undefined = this.ctx.firstNames.get(word);
    if (key === undefined) {
      const notFirst = this.ctx.shared.notFirstNames;
      if (notFirst.has(word)) key = null;
      else {
        const folded = foldWord(word);
        key = this.ctx.directory.has(NAME_FIRST_KIND, folded) ? folded : null;
        if (key === null) notFirst.add(word);
      }
      // Misses are remembered in the shared set only: a per-message entry for every common word of a reply
      // cost ~30 KB of allocation per 5 KB message.
      if (key !== null) this.ctx.firstNames.set(word, key);
    }
    return key;
  }

  /**
   * The E.164 form of a digit run read in `region` (undefined: written internationally) and the customers who
   * have it. Runs that are no customer's phone (hotlines and signatures recur in every message) are remembered
   * across messages, so libphonenumber parses them once; runs of 13+ digits (card or IMEI length) never are.
   */
  private phone(raw: string, region: string | undefined, digitCount: number): PhoneHit | null {
    const key = raw + '\0' + (region ?? '');
    const phones = this.ctx.shared.phones;
    const known = phones.get(key);
    if (known !== undefined) return known === null ? null : { e164: known, customers: NO_CUSTOMERS };
    let e164 = this.ctx.phoneMemo.get(key);
    if (e164 === undefined) {
      e164 = normalizePhone(raw, region);
      this.ctx.phoneMemo.set(key, e164);
    }
    const customers = e164 ? this.look('phone', e164) : NO_CUSTOMERS;
    if (customers.length === 0 && digitCount < 13) {
      phones.set(key, e164);
    }
    return e164 ? { e164, customers } : null;
  }

  private add(
    kind: string,
    customers: readonly string[],
    start: number,
    end: number,
    normalized: string,
    strength?: Strength,
  ): void {
    const key = `${kind}\0${start}\0${end}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.out.push({
      kind,
      customers: [...customers],
      strength: strength ?? this.ctx.directory.strengthOf(kind),
      location: this.seg.location,
      source: this.seg.source,
      segment: this.seg.index,
      offset: start,
      length: end - start,
      masked: maskValue(kind, normalized, this.seg.text.slice(start, end)),
    });
  }

  private emails(): void {
    const text = this.seg.text;
    let step = 0;
    for (const m of emailMatches(text)) {
      if (this.halted(++step)) return;
      this.email(m);
    }
    // Unicode local parts and domains (IDN): canonicalised to punycode by normalizeEmail, like the directory.
    for (const m of unicodeEmailMatches(text)) {
      if (this.halted(++step)) return;
      this.email(m);
    }
  }

  private email(m: RegExpExecArray): void {
    let raw = m[0];
    let start = m.index;
    while (raw.startsWith('.') || raw.startsWith("'")) {
      raw = raw.slice(1);
      start++;
    }
    const norm = normalizeEmail(raw);
    if (!norm) return;
    const hit = this.look('email', norm);
    if (hit.length) this.add('email', hit, start, start + raw.length, norm);
  }

  /** IBANs, compact or printed in groups (./iban.ts): only check-digit-valid ones are looked up. */
  private ibans(): void {
    let step = 0;
    for (const c of ibanCandidates(this.words)) {
      if (this.halted(++step)) return;
      const hit = this.look('iban', c.iban);
      if (hit.length) this.add('iban', hit, c.start, c.end, c.iban);
    }
  }

  /** Digit groups joined by number separators; every contiguous run of groups is a candidate. */
  private numbers(): void {
    const w = this.words;
    const text = this.seg.text;
    const hits: NumberHit[] = [];
    for (let i = 0; i < w.length;) {
      if (this.halted(i)) return;
      if (!w.digits(i)) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < w.length && w.digits(j) && w.numberGap(j)) j++;
      // groups i..j-1 form one numeric run; try every contiguous sub-run of at most 19 digits
      hits.length = 0;
      for (let a = i; a < j; a++) {
        const plusParen = w.gapEndsWith(a, '+(');
        const plus = plusParen || w.gapEndsWith(a, '+');
        const start = w.start(a) - (plusParen ? 2 : plus || w.gapEndsWith(a, '(') ? 1 : 0);
        let digits = '';
        for (let b = a; b < j; b++) {
          digits += w.text(b);
          if (digits.length > 19) break;
          this.number(digits, plus, text.slice(start, w.end(b)), start, w.end(b), hits);
        }
      }
      // keep only the longest of overlapping matches of one kind ("+1 212 555 0147", not also "212 555 0147")
      for (const h of hits) {
        const inside = hits.some(
          (o) =>
            o !== h && o.kind === h.kind && o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start,
        );
        if (!inside) this.add(h.kind, h.customers, h.start, h.end, h.normalized);
      }
      i = j;
    }
  }

  private number(digits: string, plus: boolean, raw: string, start: number, end: number, hits: NumberHit[]): void {
    const n = digits.length;
    if (n >= 13 && n <= 19 && !plus && luhnValid(digits)) {
      if (n === 15) {
        const hit = this.look('imei', digits);
        if (hit.length) hits.push({ kind: 'imei', customers: hit, start, end, normalized: digits });
      }
      const hit = this.look('card', digits);
      if (hit.length) hits.push({ kind: 'card', customers: hit, start, end, normalized: digits });
    }
    if (n < 7 || n > 15 || !this.ctx.kinds.has('phone')) return;
    if (plus || raw.startsWith('00')) {
      const p = this.phone(plus ? raw : '+' + raw.slice(2).trimStart(), undefined, n);
      if (p && p.customers.length) hits.push({ kind: 'phone', customers: p.customers, start, end, normalized: p.e164 });
      if (plus) return;
    }
    let last = '';
    for (const region of this.ctx.regions) {
      const p = this.phone(raw, region, n);
      if (!p || p.e164 === last) continue;
      last = p.e164;
      if (p.customers.length) {
        hits.push({ kind: 'phone', customers: p.customers, start, end, normalized: p.e164 });
        return;
      }
    }
  }

  /** Order ids and custom kinds: maximal words joined by - _ / . (plus a leading #), and their '/'-parts. */
  private tokens(): void {
    const w = this.words;
    const text = this.seg.text;
    for (let i = 0; i < w.length;) {
      if (this.halted(i)) return;
      let j = i + 1;
      let anyDigit = w.anyDigit(i);
      while (j < w.length && w.joinerGap(j)) anyDigit = w.anyDigit(j++) || anyDigit;
      if (!anyDigit && this.ctx.digitlessTokenKinds.length === 0) {
        i = j; // every token kind needs a digit, and neither the run nor its parts have one
        continue;
      }
      // one word: its own string (hashed once for every memo it is looked up in), not a new slice
      this.token(j - i === 1 ? w.text(i) : text.slice(w.start(i), w.end(j - 1)), w.start(i));
      if (j - i > 1) {
        // parts between slashes (URL paths: /orders/ORD-1/pay) and single words
        let a = i;
        for (let b = i + 1; b <= j; b++) {
          if (b === j || w.gapIs(b, 47 /* / */)) {
            if (b - a < j - i) this.token(text.slice(w.start(a), w.end(b - 1)), w.start(a));
            a = b;
          }
        }
      }
      i = j;
    }
  }

  private token(raw: string, start: number): void {
    if (raw.length > 100) return;
    let hits = this.ctx.tokenHits.get(raw);
    if (hits === undefined) {
      hits = NO_TOKEN_HITS;
      const norm = normalizeToken(raw);
      if (norm) {
        const kinds = hasDigit(norm) ? this.ctx.tokenKinds : this.ctx.digitlessTokenKinds;
        for (const kind of kinds) {
          const customers = this.look(kind, norm);
          if (customers.length) hits = [...hits, { kind, customers, normalized: norm }];
        }
      }
      this.ctx.tokenHits.set(raw, hits);
    }
    for (const h of hits) this.add(h.kind, h.customers, start, start + raw.length, h.normalized);
  }

  /**
   * Full names, anchored on a word that is some customer's first name (one keyed hash per distinct word):
   * - natural order `Hans Müller`: 2–4 words, one more for each particle up to 6 (`Anna van der Berg`,
   *   `Juan Carlos de la Fuente`);
   * - the reversed orders CRMs, forms and labels write: the surname before a comma (`Müller, Hans`,
   *   `van der Berg, Anna`, `García López, María José`) or in capitals (`MÜLLER Hans`, `VAN DER BERG Anna`).
   * Every order is looked up as its natural-order key, the form normalizeName stores. A title and surname after a
   * greeting (`Dear Mr van der Berg`) is found by greetingName.
   */
  private names(): void {
    const w = this.words;
    for (let i = 0; i < w.length; i++) {
      if (this.halted(i)) return;
      if (!w.letters(i)) continue;
      const next = i + 1 < w.length && w.letters(i + 1);
      if (next && w.start(i) < GREETING_SCAN) this.greetingName(i);
      // cheap structure first: a second word after it, or a surname before it (comma, capitals)
      const natural = next && w.nameGap(i + 1);
      const reversed =
        i > 0 &&
        w.letters(i - 1) &&
        (commaGap(w.source, w.gapStart(i), w.start(i)) || (w.nameGap(i) && isAllCaps(w.text(i - 1))));
      if (!natural && !reversed) continue;
      const first = this.firstName(w.text(i));
      if (first === null) continue;
      if (natural) {
        let key = first;
        let maxWords = 4;
        for (let n = 2; n <= maxWords && i + n - 1 < w.length; n++) {
          const cur = i + n - 1;
          if (!w.letters(cur) || !w.nameGap(cur)) break;
          const f = foldWord(w.text(cur));
          key += ' ' + f;
          if (maxWords < 6 && PARTICLES.has(f)) maxWords++;
          const hit = this.look('full_name', key);
          if (hit.length) this.fullName(hit, w.start(i), w.end(cur), key);
        }
      }
      if (reversed) this.reversedName(i, first);
    }
  }

  /**
   * `Müller, Hans` / `MÜLLER Hans Peter`: the anchor i (a first name) and up to two more given names after it;
   * up to four surname words before it (after a comma: any case; without: in capitals).
   */
  private reversedName(i: number, first: string): void {
    const w = this.words;
    const comma = commaGap(w.source, w.gapStart(i), w.start(i));
    const given = [first];
    for (let g = i + 1; g < w.length && given.length < 3; g++) {
      if (!w.letters(g) || !w.nameGap(g)) break;
      given.push(foldWord(w.text(g)));
    }
    let surname = '';
    for (let k = i - 1, n = 1; k >= 0 && n <= 4; k--, n++) {
      if (!w.letters(k) || (k < i - 1 && !w.nameGap(k + 1))) break;
      if (!comma && !isAllCaps(w.text(k))) break;
      surname = surname ? foldWord(w.text(k)) + ' ' + surname : foldWord(w.text(k));
      let key = '';
      for (let g = 0; g < given.length; g++) {
        key += (g ? ' ' : '') + given[g];
        const value = key + ' ' + surname;
        const hit = this.look('full_name', value);
        if (hit.length) this.fullName(hit, w.start(k), w.end(i + g), value);
      }
    }
  }

  /**
   * Combined evidence (issue 17 class 4): a full name is strong when the postal code or city of the same customer
   * stands within ADDRESS_CONTEXT characters before or after it (the address rule's window) in the same paragraph
   * (an address block has no blank line; the city of a signature below a blank line does not confirm a name in the
   * text above). The name's own words never confirm it (`Paris Hilton` is not confirmed by Paris). Only the
   * confirmed customers are named then (namesakes elsewhere are not); alone, a full name stays weak.
   */
  private fullName(customers: readonly string[], start: number, end: number, key: string): void {
    // the sender's own name (an agent's signature above the office address) is never confirmed: weak, as any name
    if (this.ctx.senderNames.some((n) => n.includes(` ${key} `)))
      return this.add('full_name', customers, start, end, key);
    const text = this.seg.text;
    const from = paragraphStart(text, start, ADDRESS_CONTEXT);
    const to = paragraphEnd(text, end, ADDRESS_CONTEXT);
    const before = from < start ? this.confirm(customers, from, start - 1) : [];
    const after = before.length < customers.length && to > end ? this.confirm(customers, end + 1, to) : [];
    if (before.length + after.length === 0) return this.add('full_name', customers, start, end, key);
    // both are in `customers` order; a common name can have thousands of customers: no quadratic filter
    const confirmed = after.length === 0 ? before : before.length === 0 ? after : [...new Set([...before, ...after])];
    this.add('full_name', confirmed, start, end, key, 'strong');
  }

  /**
   * `Dear Mr van der Berg`, `Sehr geehrte Frau Dr. Müller`, `Gentile Sig.ra Bianchi`, `Sayın Yılmaz`: word i is a
   * title, up to two more titles follow, then 1–4 surname words, and a greeting stands before them. The surname
   * is looked up among the directory's surname keys (NAME_LAST_KIND); a hit is a weak greeting_name finding.
   */
  private greetingName(i: number): void {
    const w = this.words;
    if (w.end(i) - w.start(i) > 13 || !isTitle(foldWord(w.text(i)))) return;
    let k = i + 1;
    for (let titles = 1; k < w.length;) {
      // Sig.ra, Dott.ssa, Sr.ª: the second half of a compound title
      if (w.gapIs(k, 46 /* . */) && TITLE_TAILS.has(foldWord(w.text(k)))) {
        k++;
        continue;
      }
      if (
        titles < 3 &&
        w.letters(k) &&
        titleGap(w.source, w.gapStart(k), w.start(k)) &&
        k + 1 < w.length &&
        isTitle(foldWord(w.text(k)))
      ) {
        titles++;
        k++;
        continue;
      }
      break;
    }
    if (k >= w.length || !w.letters(k) || !titleGap(w.source, w.gapStart(k), w.start(k))) return;
    if (!precededByGreeting(w.source, w.start(k))) return;
    // `Frau Marie Gehre`: a full name after the titles is the name names() reads; its first word is no surname
    // (`Marie` is a surname key of `Britt-Marie Öberg`)
    let full = foldWord(w.text(k));
    for (let c = k + 1; c < w.length && c < k + 6 && w.letters(c) && w.nameGap(c); c++) {
      full += ' ' + foldWord(w.text(c));
      if (this.look('full_name', full).length) return;
    }
    // the longest surname that is one (`García López`, not also `García`)
    let key = '';
    let best: { hit: readonly string[]; end: number; key: string } | null = null;
    for (let c = k; c < w.length && c < k + 4; c++) {
      if (!w.letters(c) || (c > k && !w.nameGap(c))) break;
      key += (c > k ? ' ' : '') + foldWord(w.text(c));
      const hit = this.look(NAME_LAST_KIND, key);
      if (hit.length) best = { hit, end: w.end(c), key };
    }
    if (best) this.add(GREETING_NAME_KIND, best.hit, w.start(k), best.end, best.key, 'weak');
  }

  /** Street addresses in every local form (src/detect/address-scan.ts). */
  private addresses(): void {
    scanAddresses(
      this.words,
      {
        look: (kind, value) => this.look(kind, value),
        directory: this.ctx.directory,
        halted: (step) => this.halted(step),
        found: (customers, start, end, value) => this.address(customers, start, end, value),
      },
      mayHoldAsWritten(this.ctx.directory),
    );
  }

  /** Strong when the postal code or city of one of the address's customers is within ADDRESS_CONTEXT. */
  private address(customers: readonly string[], start: number, end: number, value: string): void {
    const confirmed = this.confirm(customers, start - ADDRESS_CONTEXT, end + ADDRESS_CONTEXT);
    if (confirmed.length) this.add('address', confirmed, start, end, value, 'strong');
    else this.add('address', customers, start, end, value, 'weak');
  }

  private confirm(customers: readonly string[], from: number, to: number): string[] {
    const d = this.ctx.directory;
    const found = new Set<string>();
    // Remembered per segment and customer list (look() returns one array per value): a name shared by many
    // customers, written many times near the same cities, is confirmed against each city once.
    let memo = this.amongMemo.get(customers);
    if (!memo) this.amongMemo.set(customers, (memo = new Map()));
    const take = (kind: string, value: string): void => {
      const key = kind + '\0' + value;
      let hit = memo.get(key);
      if (hit === undefined) memo.set(key, (hit = d.lookupAmong(kind, value, customers)));
      for (const c of hit) found.add(c);
    };
    const w = this.words;
    const hasPostal = this.ctx.kinds.has('postal_code');
    const hasCity = this.ctx.kinds.has('city');
    // Words are in text order: start at the first one that ends inside the window (binary search), so the cost
    // is the window's size, not the segment's (a CSV of many addresses was quadratic).
    let lo = 0;
    let hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (w.end(mid) < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < w.length && found.size < customers.length; i++) {
      if (w.start(i) > to) break;
      if (hasPostal && w.anyDigit(i)) {
        const pc = normalizePostalCode(w.text(i));
        if (pc) take('postal_code', pc);
        if (i + 1 < w.length && w.start(i + 1) <= to && (w.gapIs(i + 1, 32) || w.gapIs(i + 1, 9))) {
          const pc2 = normalizePostalCode(w.text(i) + w.text(i + 1));
          if (pc2) take('postal_code', pc2);
        }
      }
      if (hasCity && w.letters(i)) {
        let key = foldWord(w.text(i));
        take('city', key);
        for (let n = 1; n < 3 && i + n < w.length; n++) {
          const c = i + n;
          if (!w.letters(c) || !w.nameGap(c) || w.start(c) > to) break;
          key += ' ' + foldWord(w.text(c));
          take('city', key);
        }
      }
    }
    return customers.filter((c) => found.has(c));
  }
}
