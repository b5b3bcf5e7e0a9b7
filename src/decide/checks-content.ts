/**
 * Checks on where data sits in the message: data_in_links (personal data in URLs), unscannable (parts that could
 * not be read: fail closed), greeting_drift (the greeting names another customer).
 */
import { GREETING_NAME_KIND, precededByGreeting } from '../detect/salutations.js';
import {
  FINDING_PARAMS,
  boolParam,
  findingFilterFrom,
  intParam,
  stringSetParam,
  type CheckDef,
} from './check-params.js';
import {
  MAX_EVIDENCE,
  emptyFacts,
  findingEvidence,
  findingMatches,
  isForeign,
  kindList,
  plural,
  type FindingFilter,
} from './context.js';

/** Kinds postguard recognises itself; every other kind is a configured directory column (custom token kind). */
const BUILTIN_KINDS: ReadonlySet<string> = new Set([
  'email',
  'phone',
  'imei',
  'card',
  'iban',
  'order_id',
  'full_name',
  'address',
  'postal_code',
  'city',
]);

/**
 * The recipient's own values that may travel in a link they receive (unsubscribe, "view your order"):
 * their email address, order id, and ids in configured columns (`custom`, e.g. ticket_id). Postal address,
 * phone, IMEI, card, IBAN and name never do (the OnePlus payment links).
 */
export const DEFAULT_OWN_ALLOWED_IN_LINKS: readonly string[] = ['email', 'order_id', 'custom'];

export const CONTENT_CHECKS: Record<string, CheckDef> = {
  data_in_links: {
    params: {
      ...FINDING_PARAMS,
      external_only: 'bool',
      min_count: 'int',
      own_allowed: 'strings',
      weak_kinds: 'strings',
    },
    build(params) {
      const filter = findingFilterFrom(params, { minStrength: 'strong', locations: new Set(['link']) });
      const weakFilter: FindingFilter = { ...filter, minStrength: 'weak' };
      const weakKinds = stringSetParam(params, 'weak_kinds') ?? new Set(['full_name']);
      const ownAllowed = stringSetParam(params, 'own_allowed') ?? new Set(DEFAULT_OWN_ALLOWED_IN_LINKS);
      const allowCustom = ownAllowed.has('custom');
      const externalOnly = boolParam(params, 'external_only', true);
      const minCount = intParam(params, 'min_count', 1);
      /** The recipient's own value of this kind may be in a link (their email, order or ticket id). */
      const allowedOwn = (kind: string): boolean => ownAllowed.has(kind) || (allowCustom && !BUILTIN_KINDS.has(kind));
      return (ctx) => {
        if (externalOnly && ctx.protectedRecipients.length === 0) return null;
        const inLinks = ctx.input.detection.findings.filter((f) => {
          if (!findingMatches(f, filter) && !(weakKinds.has(f.kind) && findingMatches(f, weakFilter))) return false;
          // Another customer's data in a link is always counted; the recipient's own only when it is sensitive.
          if (!allowedOwn(f.kind)) return true;
          return ctx.protectedRecipients.some((r) => isForeign(f, r));
        });
        if (inLinks.length < minCount) return null;
        const facts = emptyFacts();
        let foreign = false;
        for (const f of inLinks) {
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
    build(params) {
      const reasons = stringSetParam(params, 'reasons');
      const externalOnly = boolParam(params, 'external_only', false);
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
        facts.reasons.push(
          `${plural(parts.length, 'part')} could not be scanned (${why}) (unscannable: held, fail closed)`,
        );
        return facts;
      };
    },
  },

  greeting_drift: {
    params: { window: 'int', require_resolved_recipient: 'bool', kinds: 'strings' },
    build(params) {
      const window = intParam(params, 'window', 200);
      const requireResolved = boolParam(params, 'require_resolved_recipient', true);
      const kinds = stringSetParam(params, 'kinds') ?? new Set(['full_name', GREETING_NAME_KIND]);
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
};
