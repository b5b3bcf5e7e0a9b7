/**
 * Built-in checks: the named conditions (`check: foreign_data`, …) the default policy is written with.
 * Each check declares its parameters (validated by the loader) and compiles to a Condition.
 * Reasons contain counts, kinds and rule labels only — never customer data.
 */
import { createHash } from 'node:crypto';
import { maskAddress } from '../core/address.js';
import type { Finding, RecipientInfo, SegmentLocation, Strength, UnscannableReason } from '../core/types.js';
import {
  MAX_EVIDENCE,
  emptyFacts,
  findingEvidence,
  findingMatches,
  foreignAnalysis,
  isForeign,
  kindList,
  normalizeDomainEntry,
  plural,
  type FindingFilter,
} from './context.js';
import { LookalikeMatcher, WELL_KNOWN_MAIL_DOMAINS } from './lookalike.js';
import { GREETING_NAME_KIND, precededByGreeting } from '../detect/salutations.js';
import type { Condition, EvalContext, MatchFacts, PolicySettings } from './types.js';

export type ParamType = 'int' | 'bool' | 'strength' | 'strings' | 'locations' | 'reasons' | 'domains';

export const LOCATIONS: readonly SegmentLocation[] = ['subject', 'header', 'body', 'link', 'attachment'];
export const UNSCANNABLE_REASONS: readonly UnscannableReason[] = [
  'parse-error', 'depth-limit', 'size-limit', 'page-limit', 'part-limit', 'timeout', 'encrypted', 'unsupported',
  'extract-error', 'busy',
];

export interface CheckParams {
  int: Map<string, number>;
  bool: Map<string, boolean>;
  strength: Map<string, Strength>;
  strings: Map<string, string[]>;
}

function getInt(p: CheckParams, k: string, d: number): number {
  return p.int.get(k) ?? d;
}
function getBool(p: CheckParams, k: string, d: boolean): boolean {
  return p.bool.get(k) ?? d;
}
function getSet(p: CheckParams, k: string): Set<string> | undefined {
  const v = p.strings.get(k);
  return v ? new Set(v) : undefined;
}

function filterFrom(p: CheckParams, defaults: Partial<FindingFilter> & { minStrength: Strength }): FindingFilter {
  const f: FindingFilter = { minStrength: p.strength.get('min_strength') ?? defaults.minStrength };
  const kinds = getSet(p, 'kinds') ?? defaults.kinds;
  if (kinds) f.kinds = kinds;
  const ex = getSet(p, 'exclude_kinds') ?? defaults.excludeKinds;
  if (ex) f.excludeKinds = ex;
  const locs = (getSet(p, 'locations') as Set<SegmentLocation> | undefined) ?? defaults.locations;
  if (locs) f.locations = locs;
  return f;
}

/** Facts for a set of foreign findings: evidence (masked), customers, kinds. */
function foreignFacts(byRecipient: Map<RecipientInfo, Finding[]>, customers: Set<string>): MatchFacts {
  const facts = emptyFacts();
  for (const c of customers) facts.customers.add(c);
  facts.recipients = byRecipient.size;
  for (const [r, fs] of byRecipient) {
    for (const f of fs) {
      facts.kinds.add(f.kind);
      if (facts.evidence.length < MAX_EVIDENCE) {
        const e = findingEvidence(f, r);
        if (!facts.evidence.some((x) => x.masked === e.masked && x.source === e.source && x.recipient === e.recipient)) {
          facts.evidence.push(e);
        }
      }
    }
  }
  return facts;
}

interface CheckDef {
  params: Record<string, ParamType>;
  build(p: CheckParams, settings: PolicySettings): Condition;
}

const findingParams: Record<string, ParamType> = {
  min_strength: 'strength',
  kinds: 'strings',
  exclude_kinds: 'strings',
  locations: 'locations',
};

function foreignCheck(label: string, minDefault: (s: PolicySettings) => number, defaults: { minStrength: Strength; kinds?: Set<string>; locations?: Set<SegmentLocation> }, describe: (n: number, kinds: string) => string): CheckDef {
  return {
    params: { ...findingParams, min_customers: 'int', min_count: 'int' },
    build(p, settings) {
      const filter = filterFrom(p, defaults);
      const minCustomers = getInt(p, 'min_customers', minDefault(settings));
      const minCount = getInt(p, 'min_count', 1);
      return (ctx) => {
        const a = foreignAnalysis(ctx, filter);
        if (a.byRecipient.size === 0 || a.maxCustomers < minCustomers) return null;
        let maxFindings = 0;
        for (const fs of a.byRecipient.values()) maxFindings = Math.max(maxFindings, fs.length);
        if (maxFindings < minCount) return null;
        // Evidence and counts for the recipient that receives the most foreign customers.
        const top = a.maxRecipient ? new Map([[a.maxRecipient, a.byRecipient.get(a.maxRecipient) ?? []]]) : a.byRecipient;
        const facts = foreignFacts(top, a.maxSet);
        facts.recipients = a.byRecipient.size;
        facts.labels.push(label);
        facts.reasons.push(describe(a.maxCustomers, kindList(facts.kinds)));
        return facts;
      };
    },
  };
}

/** Greetings with titles, in every language the directory covers: src/detect/salutations.ts. */
export { precededByGreeting };

/** Matchers per directory domain set: by identity, then by content signature (sources may rebuild the Set). */
const matcherCache = new WeakMap<object, Map<string, LookalikeMatcher>>();
const signatureCache = new Map<string, LookalikeMatcher>();

function signature(domains: ReadonlySet<string>): string {
  const h = createHash('sha1');
  for (const d of domains) h.update(d).update('\0');
  return `${domains.size}:${h.digest('hex')}`;
}

/** Kinds postguard recognises itself; every other kind is a configured directory column (custom token kind). */
const BUILTIN_KINDS: ReadonlySet<string> = new Set([
  'email', 'phone', 'imei', 'card', 'iban', 'order_id', 'full_name', 'address', 'postal_code', 'city',
]);

/**
 * The recipient's own values that may travel in a link they receive (unsubscribe, "view your order"):
 * their email address, order id, and ids in configured columns (`custom`, e.g. ticket_id). Postal address,
 * phone, IMEI, card, IBAN and name never do (the OnePlus payment links).
 */
export const DEFAULT_OWN_ALLOWED_IN_LINKS: readonly string[] = ['email', 'order_id', 'custom'];

const CHECKS: Record<string, CheckDef> = {
  foreign_data: foreignCheck(
    'foreign data',
    () => 1,
    { minStrength: 'strong' },
    (n, kinds) => `Message carries personal data (${kinds}) of ${plural(n, 'other customer')} (foreign data)`,
  ),

  bulk: foreignCheck(
    'bulk',
    (s) => s.bulkThreshold,
    { minStrength: 'strong' },
    (n) => `Message carries personal data of ${plural(n, 'other customer')} (bulk)`,
  ),

  ticket_drift: foreignCheck(
    'ticket drift',
    () => 1,
    { minStrength: 'weak', kinds: new Set(['order_id', 'ticket_id']), locations: new Set(['subject', 'header']) },
    (n) =>
      `Subject or header refers to an order or ticket of ${plural(n, 'other customer')} (ticket drift: wrong ticket?)`,
  ),

  exposure: {
    params: { min_customers: 'int', header_findings: 'bool' },
    build(p) {
      const minCustomers = getInt(p, 'min_customers', 2);
      const headerFindings = getBool(p, 'header_findings', true);
      return (ctx) => {
        // Groups of visible customers: recipients sharing a customer are one group (the same person).
        const groups: Set<string>[] = [];
        const facts = emptyFacts();
        const add = (customers: readonly string[], evidence: () => void) => {
          if (customers.length === 0) return;
          const hit = groups.find((g) => customers.some((c) => g.has(c)));
          if (hit) for (const c of customers) hit.add(c);
          else groups.push(new Set(customers));
          evidence();
        };
        for (const r of ctx.recipients) {
          if (r.internal || r.visibleIn === 'bcc') continue;
          add(r.customers, () => {
            if (facts.evidence.length < MAX_EVIDENCE) {
              facts.evidence.push({
                kind: 'recipient',
                masked: maskAddress(r.address),
                source: `header:${r.visibleIn}`,
                customers: [...r.customers],
                recipient: maskAddress(r.address),
              });
            }
          });
        }
        if (headerFindings) {
          for (const f of ctx.input.detection.findings) {
            if (f.kind !== 'email' || f.location !== 'header' || !/^header:(to|cc)\b/i.test(f.source)) continue;
            add(f.customers, () => {
              if (facts.evidence.length < MAX_EVIDENCE) facts.evidence.push(findingEvidence(f));
            });
          }
        }
        if (groups.length < minCustomers) return null;
        if (ctx.protectedRecipients.length === 0) return null;
        for (const g of groups) for (const c of g) facts.customers.add(c);
        facts.kinds.add('email');
        facts.recipients = groups.length;
        facts.labels.push('exposure');
        facts.reasons.push(
          `${groups.length} customers can see each other's addresses in To/Cc (exposure: use Bcc or separate mails)`,
        );
        return facts;
      };
    },
  },

  lookalike_recipient: {
    params: { extra_domains: 'domains', providers: 'bool', directory: 'bool' },
    build(p, settings) {
      const extra = [...(p.strings.get('extra_domains') ?? []), ...settings.lookalikeDomains].map(normalizeDomainEntry);
      const useProviders = getBool(p, 'providers', true);
      const useDirectory = getBool(p, 'directory', true);
      const base = [...(useProviders ? WELL_KNOWN_MAIL_DOMAINS : []), ...extra];
      const baseMatcher = new LookalikeMatcher(base);
      const cacheKey = `${useProviders}|${useDirectory}|${extra.join(',')}`;
      const matcherFor = (ctx: EvalContext): LookalikeMatcher => {
        if (!useDirectory) return baseMatcher;
        const dirDomains = ctx.input.domains.emailDomains();
        let byKey = matcherCache.get(dirDomains);
        if (!byKey) {
          byKey = new Map();
          matcherCache.set(dirDomains, byKey);
        }
        let m = byKey.get(cacheKey);
        if (!m) {
          const sig = `${cacheKey}|${signature(dirDomains)}`;
          m = signatureCache.get(sig);
          if (!m) {
            // A directory domain that itself imitates a provider (a typo repeated in the CRM) is not "known good".
            const good = [...dirDomains].filter((d) => baseMatcher.isKnown(d) || baseMatcher.match(d) === null);
            m = new LookalikeMatcher([...base, ...good]);
            if (signatureCache.size >= 8) signatureCache.delete(signatureCache.keys().next().value!);
            signatureCache.set(sig, m);
          }
          byKey.set(cacheKey, m);
        }
        return m;
      };
      return (ctx) => {
        if (ctx.protectedRecipients.length === 0) return null;
        const matcher = matcherFor(ctx);
        const facts = emptyFacts();
        const targets = new Set<string>();
        for (const r of ctx.protectedRecipients) {
          // An address the directory holds is a known customer, whatever its domain resembles.
          if (r.customers.length > 0) continue;
          const m = matcher.match(r.domain);
          if (!m) continue;
          targets.add(m.target);
          facts.recipients++;
          for (const c of r.customers) facts.customers.add(c);
          if (facts.evidence.length < MAX_EVIDENCE) {
            facts.evidence.push({
              kind: `lookalike:${m.kind}`,
              masked: `${m.domain} ≈ ${m.target}`,
              source: 'envelope:rcpt-to',
              customers: [...r.customers],
              recipient: maskAddress(r.address),
            });
          }
        }
        if (facts.recipients === 0) return null;
        facts.labels.push('lookalike');
        facts.reasons.push(
          `Recipient domain looks like a mistyped ${[...targets].sort().join(' / ')} (lookalike recipient)`,
        );
        return facts;
      };
    },
  },

  data_in_links: {
    params: { ...findingParams, external_only: 'bool', min_count: 'int', own_allowed: 'strings', weak_kinds: 'strings' },
    build(p) {
      const filter = filterFrom(p, { minStrength: 'strong', locations: new Set(['link']) });
      const weakFilter: FindingFilter = { ...filter, minStrength: 'weak' };
      const weakKinds = getSet(p, 'weak_kinds') ?? new Set(['full_name']);
      const ownAllowed = getSet(p, 'own_allowed') ?? new Set(DEFAULT_OWN_ALLOWED_IN_LINKS);
      const allowCustom = ownAllowed.has('custom');
      const externalOnly = getBool(p, 'external_only', true);
      const minCount = getInt(p, 'min_count', 1);
      /** The recipient's own value of this kind may be in a link (their email, order or ticket id). */
      const allowedOwn = (kind: string): boolean => ownAllowed.has(kind) || (allowCustom && !BUILTIN_KINDS.has(kind));
      return (ctx) => {
        if (externalOnly && ctx.protectedRecipients.length === 0) return null;
        const fs = ctx.input.detection.findings.filter((f) => {
          if (!findingMatches(f, filter) && !(weakKinds.has(f.kind) && findingMatches(f, weakFilter))) return false;
          // Another customer's data in a link is always counted; the recipient's own only when it is sensitive.
          if (!allowedOwn(f.kind)) return true;
          return ctx.protectedRecipients.some((r) => isForeign(f, r));
        });
        if (fs.length < minCount) return null;
        const facts = emptyFacts();
        let foreign = false;
        for (const f of fs) {
          for (const c of f.customers) facts.customers.add(c);
          facts.kinds.add(f.kind);
          if (ctx.protectedRecipients.some((r) => isForeign(f, r))) foreign = true;
          if (facts.evidence.length < MAX_EVIDENCE) facts.evidence.push(findingEvidence(f));
        }
        facts.recipients = ctx.protectedRecipients.length;
        facts.labels.push('data in links');
        facts.reasons.push(
          `A link carries ${foreign ? 'personal data' : "the recipient's own sensitive data"} (${kindList(facts.kinds)}) of ${plural(facts.customers.size, 'customer')} (data in links: use opaque tokens)`,
        );
        return facts;
      };
    },
  },

  unscannable: {
    params: { reasons: 'reasons', external_only: 'bool' },
    build(p) {
      const reasons = getSet(p, 'reasons');
      const externalOnly = getBool(p, 'external_only', false);
      return (ctx) => {
        if (externalOnly && ctx.protectedRecipients.length === 0) return null;
        const seen = new Set<string>();
        const parts = [...ctx.input.parsed.unscannable, ...ctx.input.detection.unscannable].filter((u) => {
          const k = `${u.source}|${u.reason}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return !reasons || reasons.has(u.reason);
        });
        if (parts.length === 0) return null;
        const facts = emptyFacts();
        for (const u of parts.slice(0, MAX_EVIDENCE)) {
          facts.evidence.push({ kind: `unscannable:${u.reason}`, masked: u.detail, source: u.source, customers: [] });
        }
        const why = [...new Set(parts.map((u) => u.reason))].sort().join(', ');
        facts.labels.push('unscannable');
        facts.reasons.push(`${plural(parts.length, 'part')} could not be scanned (${why}) (unscannable: held, fail closed)`);
        return facts;
      };
    },
  },

  weak_only: {
    params: { kinds: 'strings', min_count: 'int', min_customers: 'int' },
    build(p) {
      const weak: FindingFilter = { minStrength: 'weak' };
      const kinds = getSet(p, 'kinds');
      if (kinds) weak.kinds = kinds;
      const strong: FindingFilter = { minStrength: 'strong' };
      const minCount = getInt(p, 'min_count', 1);
      const minCustomers = getInt(p, 'min_customers', 1);
      return (ctx) => {
        if (foreignAnalysis(ctx, strong).byRecipient.size > 0) return null;
        const a = foreignAnalysis(ctx, weak);
        if (a.byRecipient.size === 0 || a.maxCustomers < minCustomers) return null;
        let maxFindings = 0;
        for (const fs of a.byRecipient.values()) maxFindings = Math.max(maxFindings, fs.length);
        if (maxFindings < minCount) return null;
        const facts = foreignFacts(a.byRecipient, a.maxSet);
        facts.labels.push('weak evidence');
        facts.reasons.push(
          `Message names ${plural(a.maxCustomers, 'other customer')} (${kindList(facts.kinds)}) without a strong identifier (weak evidence)`,
        );
        return facts;
      };
    },
  },

  greeting_drift: {
    params: { window: 'int', require_resolved_recipient: 'bool', kinds: 'strings' },
    build(p) {
      const window = getInt(p, 'window', 200);
      const requireResolved = getBool(p, 'require_resolved_recipient', true);
      const kinds = getSet(p, 'kinds') ?? new Set(['full_name', GREETING_NAME_KIND]);
      return (ctx) => {
        const segs = ctx.input.parsed.segments.filter((s) => s.location === 'body');
        if (segs.length === 0) return null;
        const first = segs.reduce((a, b) => (b.index < a.index ? b : a));
        const greeted = ctx.input.detection.findings.filter(
          (f) =>
            kinds.has(f.kind) &&
            f.segment === first.index &&
            f.offset < window &&
            f.customers.length > 0 &&
            precededByGreeting(first.text, f.offset),
        );
        if (greeted.length === 0) return null;
        const facts = emptyFacts();
        for (const r of ctx.protectedRecipients) {
          if (requireResolved && r.customers.length === 0) continue;
          for (const f of greeted) {
            if (!isForeign(f, r)) continue;
            facts.recipients++;
            for (const c of f.customers) facts.customers.add(c);
            facts.kinds.add(f.kind);
            if (facts.evidence.length < MAX_EVIDENCE) facts.evidence.push(findingEvidence(f, r));
          }
        }
        if (facts.recipients === 0) return null;
        facts.labels.push('greeting drift');
        facts.reasons.push('The greeting addresses another customer by name (greeting drift: wrong recipient?)');
        return facts;
      };
    },
  },

  first_time_recipient: {
    params: { ...findingParams, require_data: 'bool' },
    build(p) {
      const filter = filterFrom(p, { minStrength: 'strong' });
      const requireData = getBool(p, 'require_data', true);
      return (ctx) => {
        const firstTime = ctx.input.firstTime;
        if (!firstTime) return null;
        const data = ctx.input.detection.findings.filter((f) => findingMatches(f, filter));
        if (requireData && data.length === 0) return null;
        const facts = emptyFacts();
        for (const r of ctx.protectedRecipients) {
          if (!firstTime(r.address)) continue;
          facts.recipients++;
          if (facts.evidence.length < MAX_EVIDENCE) {
            facts.evidence.push({
              kind: 'first-time-recipient',
              masked: maskAddress(r.address),
              source: 'envelope:rcpt-to',
              customers: [...r.customers],
              recipient: maskAddress(r.address),
            });
          }
        }
        if (facts.recipients === 0) return null;
        for (const f of data) {
          facts.kinds.add(f.kind);
          for (const c of f.customers) facts.customers.add(c);
        }
        facts.labels.push('first-time recipient');
        facts.reasons.push(
          `${plural(facts.recipients, 'external address', 'external addresses')} never mailed before ${requireData ? 'would receive customer data ' : ''}(first-time recipient)`,
        );
        return facts;
      };
    },
  },
};

export function checkNames(): string[] {
  return Object.keys(CHECKS).sort();
}

export function checkParamSpec(name: string): Record<string, ParamType> | undefined {
  return CHECKS[name]?.params;
}

export function buildCheck(name: string, params: CheckParams, settings: PolicySettings): Condition {
  const def = CHECKS[name];
  if (!def) throw new Error(`unknown check ${name}`);
  return def.build(params, settings);
}
