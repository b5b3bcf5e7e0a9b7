/**
 * Checks on who receives the message: exposure (customers visible to each other), lookalike_recipient (a
 * mistyped domain), first_time_recipient (an address never mailed before).
 */
import { createHash } from 'node:crypto';
import { maskAddress } from '../core/address.js';
import { FINDING_PARAMS, boolParam, findingFilterFrom, intParam, type CheckDef } from './check-params.js';
import { MAX_EVIDENCE, emptyFacts, findingEvidence, findingMatches, normalizeDomainEntry, plural } from './context.js';
import { LookalikeMatcher, WELL_KNOWN_MAIL_DOMAINS } from './lookalike.js';
import type { EvalContext } from './types.js';

/** Matchers per directory domain set: by identity, then by content signature (sources may rebuild the Set). */
const matcherCache = new WeakMap<object, Map<string, LookalikeMatcher>>();
const signatureCache = new Map<string, LookalikeMatcher>();

function signature(domains: ReadonlySet<string>): string {
  const h = createHash('sha1');
  for (const d of domains) h.update(d).update('\0');
  return `${domains.size}:${h.digest('hex')}`;
}

export const RECIPIENT_CHECKS: Record<string, CheckDef> = {
  exposure: {
    params: { min_customers: 'int', header_findings: 'bool' },
    build(params) {
      const minCustomers = intParam(params, 'min_customers', 2);
      const headerFindings = boolParam(params, 'header_findings', true);
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
    build(params, settings) {
      const extra = [...(params.strings.get('extra_domains') ?? []), ...settings.lookalikeDomains].map(
        normalizeDomainEntry,
      );
      const useProviders = boolParam(params, 'providers', true);
      const useDirectory = boolParam(params, 'directory', true);
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
        let matcher = byKey.get(cacheKey);
        if (!matcher) {
          const sig = `${cacheKey}|${signature(dirDomains)}`;
          matcher = signatureCache.get(sig);
          if (!matcher) {
            // A directory domain that itself imitates a provider (a typo repeated in the CRM) is not "known good".
            const good = [...dirDomains].filter((d) => baseMatcher.isKnown(d) || baseMatcher.match(d) === null);
            matcher = new LookalikeMatcher([...base, ...good]);
            if (signatureCache.size >= 8) signatureCache.delete(signatureCache.keys().next().value!);
            signatureCache.set(sig, matcher);
          }
          byKey.set(cacheKey, matcher);
        }
        return matcher;
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

  first_time_recipient: {
    params: { ...FINDING_PARAMS, require_data: 'bool' },
    build(params) {
      const filter = findingFilterFrom(params, { minStrength: 'strong' });
      const requireData = boolParam(params, 'require_data', true);
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
