/**
 * What compiled conditions do at evaluation time: combinators and the matchers of the condition keys (findings,
 * recipients, sender, header, attachments). conditions.ts reads the YAML and builds these from checked values;
 * a matcher returns the facts it contributes when it holds, null when it does not.
 */
import { domainMatches } from '../core/address.js';
import {
  MAX_EVIDENCE,
  emptyFacts,
  findingEvidence,
  findingMatches,
  foreignAnalysis,
  mergeFacts,
  type FindingFilter,
} from './context.js';
import type { Condition, EvalContext, MatchFacts } from './types.js';

/** Every part holds; their facts merged. */
export function allOf(parts: Condition[]): Condition {
  if (parts.length === 1) return parts[0]!;
  return (ctx) => {
    let facts: MatchFacts | null = null;
    for (const c of parts) {
      const f = c(ctx);
      if (!f) return null;
      facts = facts ? mergeFacts(facts, f) : f;
    }
    return facts ?? emptyFacts();
  };
}

/** At least one part holds; the facts of all that hold, merged. */
export function anyOf(parts: Condition[]): Condition {
  return (ctx) => {
    let facts: MatchFacts | null = null;
    for (const c of parts) {
      const f = c(ctx);
      if (f) facts = facts ? mergeFacts(facts, f) : f;
    }
    return facts;
  };
}

export function not(inner: Condition): Condition {
  return (ctx) => (inner(ctx) ? null : emptyFacts());
}

/** Every test holds (plain yes/no tests that contribute no facts). */
export function allHold(tests: readonly ((ctx: EvalContext) => boolean)[]): Condition {
  return (ctx) => (tests.every((t) => t(ctx)) ? emptyFacts() : null);
}

/** `findings:` — findings passing the filter, optionally only those foreign to an external recipient. */
export function findingsMatch(
  filter: FindingFilter,
  { foreign, minCount, minCustomers }: { foreign: boolean; minCount: number; minCustomers: number },
): Condition {
  return (ctx) => {
    const facts = emptyFacts();
    if (foreign) {
      const analysis = foreignAnalysis(ctx, filter);
      let best = 0;
      for (const findings of analysis.byRecipient.values()) best = Math.max(best, findings.length);
      if (best < minCount || analysis.maxCustomers < minCustomers) return null;
      for (const c of analysis.maxSet) facts.customers.add(c);
      for (const [recipient, findings] of analysis.byRecipient) {
        for (const f of findings) {
          facts.kinds.add(f.kind);
          if (facts.evidence.length < MAX_EVIDENCE) facts.evidence.push(findingEvidence(f, recipient));
        }
      }
      facts.recipients = analysis.byRecipient.size;
      return facts;
    }
    const matched = ctx.input.detection.findings.filter((f) => findingMatches(f, filter));
    if (matched.length < minCount) return null;
    for (const f of matched) {
      for (const c of f.customers) facts.customers.add(c);
      facts.kinds.add(f.kind);
      if (facts.evidence.length < MAX_EVIDENCE) facts.evidence.push(findingEvidence(f));
    }
    if (facts.customers.size < minCustomers) return null;
    return facts;
  };
}

/** `sender:` / `sender_group:` — the envelope sender (or the AUTH user when it is an address) is listed. */
export function senderMatch(list: readonly string[]): Condition {
  return (ctx) => (senderIn(ctx, list) ? emptyFacts() : null);
}

/** `header:` — the values of header `name` (lower-case) pass `test`. */
export function headerMatch(name: string, test: (values: string[]) => boolean): Condition {
  return (ctx) => (test(ctx.input.parsed.headers.get(name) ?? []) ? emptyFacts() : null);
}

/** `attachments:` — at least `minCount` attachments of the given types (type/* allowed) and extensions. */
export function attachmentsMatch(types: string[] | undefined, exts: string[] | undefined, minCount: number): Condition {
  const typeOk = (ct: string): boolean => {
    if (!types) return true;
    const base = ct.toLowerCase().split(';')[0]!.trim();
    return types.some((t) => (t.endsWith('/*') ? base.startsWith(t.slice(0, -1)) : base === t));
  };
  const extOk = (fn: string): boolean => !exts || exts.some((x) => fn.toLowerCase().endsWith(x));
  return (ctx) => {
    const hits = ctx.input.parsed.attachments.filter((a) => typeOk(a.contentType) && extOk(a.filename));
    if (hits.length < minCount) return null;
    const facts = emptyFacts();
    for (const a of hits.slice(0, MAX_EVIDENCE)) {
      facts.evidence.push({
        kind: 'attachment',
        masked: a.contentType,
        source: `attachment:${a.source}`,
        customers: [],
      });
    }
    return facts;
  };
}

function senderIn(ctx: EvalContext, list: readonly string[]): boolean {
  const ids = [ctx.sender];
  const user = ctx.input.client?.user?.toLowerCase();
  if (user && user.includes('@')) ids.push(user);
  return ids.some((id) => {
    const at = id.lastIndexOf('@');
    const domain = at < 0 ? '' : id.slice(at + 1);
    return list.some((e) => (e.startsWith('@') ? domain !== '' && domainMatches(domain, [e.slice(1)]) : e === id));
  });
}
