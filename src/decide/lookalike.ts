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
import { domainToUnicode } from 'node:url';
import { parse as parseDomain } from 'tldts';

export const WELL_KNOWN_MAIL_DOMAINS: readonly string[] = [
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'ymail.com',
  'rocketmail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', 'gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch', 'gmx.com',
  'web.de', 'protonmail.com', 'proton.me', 'pm.me', 'mail.com', 'email.com', 'yandex.ru', 'yandex.com', 'ya.ru',
  'zoho.com', 't-online.de', 'freenet.de', 'orange.fr', 'free.fr', 'sfr.fr', 'laposte.net', 'wanadoo.fr',
  'comcast.net', 'verizon.net', 'att.net', 'sbcglobal.net', 'cox.net', 'libero.it', 'virgilio.it', 'mail.ru',
  'bk.ru', 'inbox.ru', 'list.ru', 'rambler.ru', 'qq.com', '163.com', '126.com', 'naver.com', 'seznam.cz',
  'wp.pl', 'o2.pl', 'interia.pl', 'bluewin.ch', 'hotmail.de', 'hotmail.fr', 'hotmail.co.uk', 'outlook.de',
  'yahoo.de', 'yahoo.fr', 'yahoo.co.uk', 'btinternet.com', 'tutanota.com', 'fastmail.com', 'hey.com',
];

/** Latin lookalikes (Cyrillic, Greek, IPA, full-width) and digit/letter confusions, folded to one spelling. */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c',
  т: 't', у: 'y', х: 'x', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', ү: 'y', ӏ: 'l', ɡ: 'g',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  // Latin with marks that render almost like the base letter
  ı: 'i', ł: 'l', ȷ: 'j', ɑ: 'a', ɩ: 'i', ʟ: 'l',
  // digits
  '0': 'o', '1': 'l', '3': 'e', '5': 's',
};

const MULTI_CONFUSABLES: [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
];

/** Folds a (Unicode) domain to a skeleton: NFKD, marks stripped, confusables mapped, multi-char confusions. */
export function skeleton(domain: string): string {
  const decomposed = domain.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  let out = '';
  for (const ch of decomposed) out += CONFUSABLES[ch] ?? ch;
  for (const [re, to] of MULTI_CONFUSABLES) out = out.replace(re, to);
  return out;
}

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions), capped early. */
export function editDistance(a: string, b: string, max = 3): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

function isSingleTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
  return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
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

/** Compares one recipient domain with a prepared known-domain list. */
export class LookalikeMatcher {
  private readonly knownSet: Set<string>;
  private readonly byLength = new Map<number, KnownDomain[]>();
  private readonly bySkeleton: Map<string, KnownDomain>;

  constructor(domains: Iterable<string>) {
    this.knownSet = new Set();
    for (const d of domains) {
      const s = d.trim().toLowerCase().replace(/\.$/, '');
      if (s) this.knownSet.add(s);
    }
    this.bySkeleton = new Map();
    for (const d of this.knownSet) {
      const k = known(d);
      if (!this.bySkeleton.has(k.skFull)) this.bySkeleton.set(k.skFull, k);
      const list = this.byLength.get(k.skLabel.length);
      if (list) list.push(k);
      else this.byLength.set(k.skLabel.length, [k]);
    }
  }

  isKnown(domain: string): boolean {
    if (this.knownSet.has(domain)) return true;
    return this.knownSet.has(splitRegistrable(domain).registrable);
  }

  /** Null when `domain` (ASCII, lower-case) is known or not close to any known domain. */
  match(domain: string): LookalikeMatch | null {
    const d = domain.toLowerCase().replace(/\.$/, '');
    if (!d || d.startsWith('[')) return null;
    if (this.isKnown(d)) return null;
    const { registrable, label, suffix } = splitRegistrable(d);
    if (!label) return null;
    const skLabel = skeleton(domainToUnicode(label) || label);
    const skSuffix = skeleton(suffix);
    const homo = this.bySkeleton.get(`${skLabel}.${skSuffix}`);
    if (homo) return { domain: registrable, target: homo.domain, kind: 'homoglyph', distance: 0 };

    let best: LookalikeMatch | null = null;
    const candidates: KnownDomain[] = [];
    for (let len = skLabel.length - 2; len <= skLabel.length + 2; len++) candidates.push(...(this.byLength.get(len) ?? []));
    for (const k of candidates) {
      const suffixD = skSuffix === k.skSuffix ? 0 : editDistance(skSuffix, k.skSuffix, 2);
      if (suffixD > 1) continue;
      const labelD = editDistance(skLabel, k.skLabel, 2);
      const total = labelD + suffixD;
      let hit: LookalikeKind | null = null;
      if (labelD === 0 && suffixD === 1) hit = 'tld';
      else if (total >= 1 && total <= labelBudget(k.skLabel)) hit = 'typo';
      else if (suffixD === 0 && k.skLabel.length <= 3 && isSingleTransposition(skLabel, k.skLabel)) hit = 'typo';
      if (hit && (!best || total < best.distance)) best = { domain: registrable, target: k.domain, kind: hit, distance: total };
    }
    return best;
  }
}
