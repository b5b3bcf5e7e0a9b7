/**
 * Checks on another customer's data reaching an external recipient: foreign_data, bulk, ticket_drift, weak_only.
 * Reasons carry counts, kinds and labels only — never customer data.
 */
import type { Finding, RecipientInfo, SegmentLocation, Strength } from '../core/types.js';
import { FINDING_PARAMS, findingFilterFrom, intParam, stringSetParam, type CheckDef } from './check-params.js';
import {
  MAX_EVIDENCE,
  emptyFacts,
  findingEvidence,
  foreignAnalysis,
  kindList,
  plural,
  type FindingFilter,
} from './context.js';
import type { MatchFacts, PolicySettings } from './types.js';

/** Facts for a set of foreign findings: evidence (masked), customers, kinds. */
function foreignFacts(byRecipient: Map<RecipientInfo, Finding[]>, customers: Set<string>): MatchFacts {
  const facts = emptyFacts();
  for (const c of customers) facts.customers.add(c);
  facts.recipients = byRecipient.size;
  for (const [recipient, findings] of byRecipient) {
    for (const f of findings) {
      facts.kinds.add(f.kind);
      if (facts.evidence.length < MAX_EVIDENCE) {
        const e = findingEvidence(f, recipient);
        if (
          !facts.evidence.some((x) => x.masked === e.masked && x.source === e.source && x.recipient === e.recipient)
        ) {
          facts.evidence.push(e);
        }
      }
    }
  }
  return facts;
}

function foreignCheck(
  label: string,
  minDefault: (s: PolicySettings) => number,
  defaults: { minStrength: Strength; kinds?: Set<string>; locations?: Set<SegmentLocation> },
  describe: (n: number, kinds: string) => string,
): CheckDef {
  return {
    params: { ...FINDING_PARAMS, min_customers: 'int', min_count: 'int' },
    build(params, settings) {
      const filter = findingFilterFrom(params, defaults);
      const minCustomers = intParam(params, 'min_customers', minDefault(settings));
      const minCount = intParam(params, 'min_count', 1);
      return (ctx) => {
        const analysis = foreignAnalysis(ctx, filter);
        if (analysis.byRecipient.size === 0 || analysis.maxCustomers < minCustomers) return null;
        let maxFindings = 0;
        for (const findings of analysis.byRecipient.values()) maxFindings = Math.max(maxFindings, findings.length);
        if (maxFindings < minCount) return null;
        // Evidence and counts for the recipient that receives the most foreign customers.
        const top = analysis.maxRecipient
          ? new Map([[analysis.maxRecipient, analysis.byRecipient.get(analysis.maxRecipient) ?? []]])
          : analysis.byRecipient;
        const facts = foreignFacts(top, analysis.maxSet);
        facts.recipients = analysis.byRecipient.size;
        facts.labels.push(label);
        facts.reasons.push(describe(analysis.maxCustomers, kindList(facts.kinds)));
        return facts;
      };
    },
  };
}

export const FOREIGN_DATA_CHECKS: Record<string, CheckDef> = {
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

  weak_only: {
    params: { kinds: 'strings', min_count: 'int', min_customers: 'int' },
    build(params) {
      const weak: FindingFilter = { minStrength: 'weak' };
      const kinds = stringSetParam(params, 'kinds');
      if (kinds) weak.kinds = kinds;
      const strong: FindingFilter = { minStrength: 'strong' };
      const minCount = intParam(params, 'min_count', 1);
      const minCustomers = intParam(params, 'min_customers', 1);
      return (ctx) => {
        if (foreignAnalysis(ctx, strong).byRecipient.size > 0) return null;
        const analysis = foreignAnalysis(ctx, weak);
        if (analysis.byRecipient.size === 0 || analysis.maxCustomers < minCustomers) return null;
        let maxFindings = 0;
        for (const findings of analysis.byRecipient.values()) maxFindings = Math.max(maxFindings, findings.length);
        if (maxFindings < minCount) return null;
        const facts = foreignFacts(analysis.byRecipient, analysis.maxSet);
        facts.labels.push('weak evidence');
        facts.reasons.push(
          `Message names ${plural(analysis.maxCustomers, 'other customer')} (${kindList(facts.kinds)}) without a strong identifier (weak evidence)`,
        );
        return facts;
      };
    },
  },
};
