/**
 * Lookalike recipient domains: a registrable domain one or two edits, a transposition or a homoglyph away from a
 * well-known mail provider or from a common directory domain, without being such a domain itself.
 *
 * Rules (all comparisons on the registrable domain from tldts, after homoglyph folding):
 *   - the domain (or its registrable domain) is a known domain → never a lookalike (mail.google.com, gmail.com);
 *   - same folded spelling as a known domain but different bytes → homoglyph (gmаil.com with Cyrillic 'а', gmai1.com);
 *   - same label, public suffix one edit away → wrong TLD (gmail.co, gmail.con);
 *   - suffix more than one edit away → a different country/TLD family, not a lookalike (gmx.at vs gmx.de);
 *   - otherwise label edits (Damerau: insert, delete, substitute, transpose) + suffix edits within the budget of
 *     the known label's length: ≥ 6 chars → 2, 4–5 → 1, ≤ 3 → only a single transposition (short labels are dense:
 *     aon.com, ms.com, gm.com are real, unrelated domains).
 */
import { createRequire } from 'node:module';
import { domainToUnicode } from 'node:url';
import { parse as parseDomain } from 'tldts';
import { RecentMap } from '../core/recent.js';

// The maintained provider list (npm `email-providers`, goware/emailproviders): all.json ≈ 8,800 domains that
// hand out mailboxes, common.json the ≈ 350 of them with a Majestic Million rank < 100,000. Read once at start.
const requireJson = createRequire(import.meta.url);
const PROVIDERS_ALL = requireJson('email-providers/all.json') as string[];
const PROVIDERS_COMMON = requireJson('email-providers/common.json') as string[];

/**
 * Entries of common.json that are not mail destinations anyone types: reserved and placeholder names, and
 * throwaway-inbox services. Their near neighbours are real, unrelated domains (game.com, popmail.com), so
 * comparing against them only costs precision.
 */
const NOT_TYPO_TARGETS = new Set([
  'example.com',
  'test.com',
  'test.de',
  'yourdomain.com',
  'mydomain.com',
  'www.com',
  'name.com',
  'mail-tester.com',
  '10minutemail.com',
  'mailinator.com',
  'guerrillamail.com',
  'temp-mail.org',
  'yopmail.com',
  'bugmenot.com',
  'hidemyass.com',
  'anonymize.com',
  'privacy.net',
]);

/**
 * Big providers' own domains that common.json lacks (below its rank cut or missing from the list): the targets
 * postguard compared against before the package, kept so typo detection stays as strong as it was.
 */
const PROVIDER_SUPPLEMENT = [
  'googlemail.com',
  'ymail.com',
  'rocketmail.com',
  'pm.me',
  'email.com',
  'bk.ru',
  'inbox.ru',
  'hotmail.de',
  'hotmail.fr',
  'hotmail.co.uk',
  'outlook.de',
  'gmx.ch',
  'tutanota.com',
  'fastmail.com',
];

/** Well-known mail providers: recipient domains are measured against these (typo, wrong TLD, homoglyph). */
export const WELL_KNOWN_MAIL_DOMAINS: readonly string[] = [
  ...new Set([...PROVIDERS_COMMON.filter((d) => !NOT_TYPO_TARGETS.has(d)), ...PROVIDER_SUPPLEMENT]),
];

/**
 * Every domain of the maintained provider list. Membership alone does not clear a domain: the list is gathered
 * from sign-ups and holds the classic typo domains themselves (gmial.com, gamil.com, hotmial.com, yaho.com,
 * gmail.co, hotmail.con). It clears a provider's country domain: the same name under another country code
 * (hotmail.be next to hotmail.de, yahoo.dk next to yahoo.de, outlook.ie next to outlook.de).
 */
export const PROVIDER_DOMAINS: ReadonlySet<string> = new Set(PROVIDERS_ALL.map((d) => d.toLowerCase()));

/** Latin lookalikes (Cyrillic, Greek, IPA, full-width) and digit/letter confusions, folded to one spelling. */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  ӏ: 'l',
  ɡ: 'g',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  // Latin with marks that render almost like the base letter
  ı: 'i',
  ł: 'l',
  ȷ: 'j',
  ɑ: 'a',
  ɩ: 'i',
  ʟ: 'l',
  // digits
  '0': 'o',
  '1': 'l',
  '3': 'e',
  '5': 's',
};

const MULTI_CONFUSABLES: [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
];

/** True when `s` holds a non-ASCII letter that imitates a Latin one (Cyrillic 'а', Greek 'ο', IPA 'ɑ' …). */
function hasForeignLookalike(s: string): boolean {
  for (const ch of s) if (ch.charCodeAt(0) > 127 && CONFUSABLES[ch] !== undefined) return true;
  return false;
}

/** Folds a (Unicode) domain to a skeleton: NFKD, marks stripped, confusables mapped, multi-char confusions. */
export function skeleton(domain: string): string {
  const decomposed = domain
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  let out = '';
  for (const ch of decomposed) out += CONFUSABLES[ch] ?? ch;
  for (const [re, to] of MULTI_CONFUSABLES) out = out.replace(re, to);
  return out;
}

/** Rows of editDistance, reused (the matcher runs it against hundreds of provider labels per recipient). */
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
let rowC = new Int32Array(64);

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions), capped early. */
export function editDistance(a: string, b: string, max = 3): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  if (rowA.length <= m) {
    rowA = new Int32Array(m + 1);
    rowB = new Int32Array(m + 1);
    rowC = new Int32Array(m + 1);
  }
  let prev2 = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj)
        v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[m]!;
}

function isSingleTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
  return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]] && a[diff[1]] === b[diff[0]!];
}

interface KnownDomain {
  domain: string;
  label: string;
  suffix: string;
  skLabel: string;
  skSuffix: string;
  skFull: string;
}

function splitRegistrable(domain: string): { registrable: string; label: string; suffix: string } {
  const p = parseDomain(domain, { allowPrivateDomains: false });
  const registrable = p.domain ?? domain;
  const suffix = p.publicSuffix ?? '';
  const label = p.domainWithoutSuffix ?? registrable.slice(0, Math.max(0, registrable.length - suffix.length - 1));
  return { registrable, label, suffix };
}

function known(domain: string): KnownDomain {
  const { label, suffix } = splitRegistrable(domain);
  const skLabel = skeleton(domainToUnicode(label) || label);
  const skSuffix = skeleton(suffix);
  return { domain, label, suffix, skLabel, skSuffix, skFull: `${skLabel}.${skSuffix}` };
}

/** A public suffix under a country code: `de`, `co.uk`, `com.br` (its last label has two letters). */
function isCountrySuffix(suffix: string): boolean {
  const dot = suffix.lastIndexOf('.');
  return suffix.length - dot - 1 === 2;
}

export type LookalikeKind = 'homoglyph' | 'tld' | 'typo';

export interface LookalikeMatch {
  /** The recipient's registrable domain (ASCII). */
  domain: string;
  /** The known domain it imitates. */
  target: string;
  kind: LookalikeKind;
  distance: number;
}

function labelBudget(label: string): number {
  if (label.length >= 6) return 2;
  if (label.length >= 4) return 1;
  return 0;
}

export interface LookalikeOptions {
  /**
   * Real provider domains (default: the email-providers list). A recipient domain on it that differs from a known
   * domain only by its country code (hotmail.be / hotmail.de) is that provider's country domain, not a lookalike.
   */
  providerDomains?: ReadonlySet<string>;
}

/** Known domains with one public suffix, by the length of their folded label. */
interface SuffixGroup {
  skSuffix: string;
  byLength: Map<number, KnownDomain[]>;
}

/** Compares one recipient domain with a prepared known-domain list. */
export class LookalikeMatcher {
  private readonly knownSet: Set<string>;
  private readonly groups = new Map<string, SuffixGroup>();
  private readonly bySkeleton: Map<string, KnownDomain>;
  private readonly providers: ReadonlySet<string>;
  private readonly answers = new RecentMap<string, LookalikeMatch | null>(2048);

  constructor(domains: Iterable<string>, opts: LookalikeOptions = {}) {
    this.providers = opts.providerDomains ?? PROVIDER_DOMAINS;
    this.knownSet = new Set();
    for (const d of domains) {
      const s = d.trim().toLowerCase().replace(/\.$/, '');
      if (s) this.knownSet.add(s);
    }
    this.bySkeleton = new Map();
    for (const d of this.knownSet) {
      const k = known(d);
      if (!this.bySkeleton.has(k.skFull)) this.bySkeleton.set(k.skFull, k);
      let g = this.groups.get(k.skSuffix);
      if (!g) {
        g = { skSuffix: k.skSuffix, byLength: new Map() };
        this.groups.set(k.skSuffix, g);
      }
      const list = g.byLength.get(k.skLabel.length);
      if (list) list.push(k);
      else g.byLength.set(k.skLabel.length, [k]);
    }
  }

  isKnown(domain: string): boolean {
    if (this.knownSet.has(domain)) return true;
    return this.knownSet.has(splitRegistrable(domain).registrable);
  }

  /** Null when `domain` (ASCII, lower-case) is known or not close to any known domain. */
  match(domain: string): LookalikeMatch | null {
    // A helpdesk mails the same few domains all day and one comparison against every target costs ~50 µs: the
    // answers (plain objects, copied out) are remembered per matcher, which is rebuilt when the directory changes.
    const known = this.answers.get(domain);
    if (known !== undefined) return known && { ...known };
    const answer = this.compare(domain);
    this.answers.set(domain, answer);
    return answer && { ...answer };
  }

  private compare(domain: string): LookalikeMatch | null {
    const d = domain.toLowerCase().replace(/\.$/, '');
    if (!d || d.startsWith('[')) return null;
    if (this.knownSet.has(d)) return null;
    const { registrable, label, suffix } = splitRegistrable(d);
    if (this.knownSet.has(registrable) || !label) return null;
    const skLabel = skeleton(domainToUnicode(label) || label);
    const skSuffix = skeleton(suffix);
    const homo = this.bySkeleton.get(`${skLabel}.${skSuffix}`);
    if (homo) return { domain: registrable, target: homo.domain, kind: 'homoglyph', distance: 0 };
    // An internationalised spelling that folds to any provider's own domain is a spoof of it, even of a provider
    // too small to be a typo target (yаhoo.es with a Cyrillic 'а'). Only for letters of another script that
    // imitate Latin ones: ASCII confusions (rn/m, 1/l) and accented Latin letters (exämple.com, bücher.de are
    // real domains of their own) against the long list would hit real, unrelated domains.
    if (registrable.includes('xn--') && hasForeignLookalike(domainToUnicode(registrable))) {
      const folded = `${skLabel}.${skSuffix}`;
      if (folded !== registrable && this.providers.has(folded))
        return { domain: registrable, target: folded, kind: 'homoglyph', distance: 0 };
    }

    // A provider's own country domain (on the maintained list, same name, another country code) is real.
    const countryVariantOk = isCountrySuffix(suffix) && (this.providers.has(registrable) || this.providers.has(d));
    let best: LookalikeMatch | null = null;
    for (const g of this.groups.values()) {
      const suffixD = skSuffix === g.skSuffix ? 0 : editDistance(skSuffix, g.skSuffix, 1);
      if (suffixD > 1) continue;
      for (let len = skLabel.length - 2; len <= skLabel.length + 2; len++) {
        const list = g.byLength.get(len);
        if (!list) continue;
        for (const k of list) {
          const labelD = editDistance(skLabel, k.skLabel, 2);
          const total = labelD + suffixD;
          let hit: LookalikeKind | null = null;
          if (labelD === 0 && suffixD === 1) hit = countryVariantOk && isCountrySuffix(k.suffix) ? null : 'tld';
          else if (total >= 1 && total <= labelBudget(k.skLabel)) hit = 'typo';
          else if (suffixD === 0 && k.skLabel.length <= 3 && isSingleTransposition(skLabel, k.skLabel)) hit = 'typo';
          if (hit && (!best || total < best.distance))
            best = { domain: registrable, target: k.domain, kind: hit, distance: total };
        }
      }
    }
    return best;
  }
}
