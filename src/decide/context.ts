/**
 * Per-message evaluation context and the shared analyses built-in checks use (foreign findings per recipient,
 * distinct customer counts, evidence). Nothing here puts plaintext customer data anywhere: evidence carries only
 * Finding.masked, customer ids and masked recipient addresses.
 */
import { canonicalAddress, domainMatches, domainOf, maskAddress, routesElsewhere } from '../core/address.js';
import type { Evidence, Finding, RecipientInfo, SegmentLocation, Strength } from '../core/types.js';
import type { DecideInput, EvalContext, MatchFacts, PolicySet } from './types.js';

/** At most this many evidence items per hit (the verdict stays small; counts carry the rest). */
export const MAX_EVIDENCE = 20;

export function emptyFacts(): MatchFacts {
  return { customers: new Set(), kinds: new Set(), recipients: 0, evidence: [], reasons: [], labels: [] };
}

export function mergeFacts(into: MatchFacts, from: MatchFacts): MatchFacts {
  for (const c of from.customers) into.customers.add(c);
  for (const k of from.kinds) into.kinds.add(k);
  into.recipients = Math.max(into.recipients, from.recipients);
  for (const e of from.evidence) {
    if (into.evidence.length >= MAX_EVIDENCE) break;
    if (!into.evidence.some((x) => sameEvidence(x, e))) into.evidence.push(e);
  }
  for (const r of from.reasons) if (!into.reasons.includes(r)) into.reasons.push(r);
  for (const l of from.labels) if (!into.labels.includes(l)) into.labels.push(l);
  return into;
}

function sameEvidence(a: Evidence, b: Evidence): boolean {
  return a.kind === b.kind && a.masked === b.masked && a.source === b.source && a.recipient === b.recipient;
}

export function findingEvidence(f: Finding, recipient?: RecipientInfo): Evidence {
  const e: Evidence = { kind: f.kind, masked: f.masked, source: f.source, customers: [...f.customers] };
  if (recipient) e.recipient = maskAddress(recipient.address);
  return e;
}

/** True when `domain` is on the list; list entries may be written "example.com" or "@example.com". */
export function domainListed(domain: string, list: readonly string[]): boolean {
  return domainMatches(domain, list);
}

export function normalizeDomainEntry(entry: string): string {
  return entry.trim().replace(/^@/, '').replace(/\.$/, '').toLowerCase();
}

/** Builds the recipient list from detection, falling back to "external, unresolved" for unknown RCPT TO. */
function recipientsOf(input: DecideInput): RecipientInfo[] {
  const byAddr = new Map<string, RecipientInfo>();
  for (const r of input.detection.recipients) byAddr.set(r.address.toLowerCase(), r);
  const visible = new Map<string, 'to' | 'cc'>();
  for (const h of input.parsed.cc) if (h.address) visible.set(h.address.toLowerCase(), 'cc');
  for (const h of input.parsed.to) if (h.address) visible.set(h.address.toLowerCase(), 'to');
  const out: RecipientInfo[] = [];
  const seen = new Set<string>();
  for (const raw of input.envelope.rcptTo) {
    const addr = canonicalAddress(raw) ?? raw.toLowerCase();
    if (seen.has(addr)) continue;
    seen.add(addr);
    const known = byAddr.get(addr);
    out.push(
      known ?? {
        address: addr,
        domain: domainOf(addr),
        internal: false, // unknown → treated as external and unresolved (fail closed)
        customers: [],
        visibleIn: visible.get(addr) ?? 'bcc',
      },
    );
  }
  // Recipients the detector knows but the envelope does not list are not delivered to: ignore them.
  return out;
}

export function buildContext(input: DecideInput, policy: PolicySet): EvalContext {
  const recipients = recipientsOf(input);
  // A partner is trusted like an internal domain, but never for an address that routes elsewhere (`%`, `!`, …).
  const protectedRecipients = recipients.filter(
    (r) => !r.internal && (routesElsewhere(r.address) || !domainListed(r.domain, policy.partners)),
  );
  const sender = canonicalAddress(input.envelope.mailFrom) ?? input.envelope.mailFrom.toLowerCase();
  return {
    input,
    recipients,
    protectedRecipients,
    sender,
    senderDomain: domainOf(sender),
    policy,
    cache: new Map(),
  };
}

export interface FindingFilter {
  minStrength: Strength;
  kinds?: ReadonlySet<string>;
  excludeKinds?: ReadonlySet<string>;
  locations?: ReadonlySet<SegmentLocation>;
}

export function filterKey(f: FindingFilter): string {
  const s = (x?: ReadonlySet<string>) => (x ? [...x].sort().join(',') : '*');
  return `${f.minStrength}|${s(f.kinds)}|${s(f.excludeKinds)}|${s(f.locations)}`;
}

export function findingMatches(f: Finding, filter: FindingFilter): boolean {
  if (filter.minStrength === 'strong' && f.strength !== 'strong') return false;
  if (filter.kinds && !filter.kinds.has(f.kind)) return false;
  if (filter.excludeKinds && filter.excludeKinds.has(f.kind)) return false;
  if (filter.locations && !filter.locations.has(f.location)) return false;
  return f.customers.length > 0;
}

/** A finding is foreign to a recipient when none of its customers is the recipient. */
export function isForeign(f: Finding, r: RecipientInfo): boolean {
  if (r.customers.length === 0) return true;
  for (const c of f.customers) if (r.customers.includes(c)) return false;
  return true;
}

/**
 * Distinct customers whose data the findings show, counted conservatively: a finding shared by several
 * customers (a household address, a common name) counts as one person unless one of them is already counted.
 * This is a lower bound, so a shared value never inflates a reject decision.
 */
export function distinctCustomers(findings: readonly Finding[]): Set<string> {
  const counted = new Set<string>();
  const sorted = [...findings].sort((a, b) => a.customers.length - b.customers.length);
  for (const f of sorted) {
    if (f.customers.some((c) => counted.has(c))) continue;
    const first = [...f.customers].sort()[0];
    if (first !== undefined) counted.add(first);
  }
  return counted;
}

export interface ForeignAnalysis {
  /** Foreign findings per protected recipient (only recipients with at least one). */
  byRecipient: Map<RecipientInfo, Finding[]>;
  /** Highest distinct-foreign-customer count over the recipients, and for which recipient. */
  maxCustomers: number;
  maxRecipient?: RecipientInfo;
  maxSet: Set<string>;
}

/** Foreign findings (per protected recipient) for a filter; cached per message. */
export function foreignAnalysis(ctx: EvalContext, filter: FindingFilter): ForeignAnalysis {
  const key = `foreign:${filterKey(filter)}`;
  const cached = ctx.cache.get(key) as ForeignAnalysis | undefined;
  if (cached) return cached;
  const candidates = ctx.input.detection.findings.filter((f) => findingMatches(f, filter));
  const byRecipient = new Map<RecipientInfo, Finding[]>();
  let maxCustomers = 0;
  let maxRecipient: RecipientInfo | undefined;
  let maxSet = new Set<string>();
  for (const r of ctx.protectedRecipients) {
    const foreign = candidates.filter((f) => isForeign(f, r));
    if (foreign.length === 0) continue;
    byRecipient.set(r, foreign);
    const set = distinctCustomers(foreign);
    if (set.size > maxCustomers) {
      maxCustomers = set.size;
      maxRecipient = r;
      maxSet = set;
    }
  }
  const result: ForeignAnalysis = { byRecipient, maxCustomers, maxSet };
  if (maxRecipient) result.maxRecipient = maxRecipient;
  ctx.cache.set(key, result);
  return result;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function kindList(kinds: Iterable<string>): string {
  return [...new Set(kinds)].sort().join(', ');
}
