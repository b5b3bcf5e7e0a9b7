/**
 * decide(): findings + recipients + policy → Verdict. Synchronous, no I/O. Semantics: docs/DESIGN.md, "What the
 * decision means".
 *
 * - Rules run in policy order; a rule fires when `when` holds and `unless` does not.
 * - The action is the most severe enforced hit (reject > quarantine > tag > deliver).
 * - Monitor hits (rule `mode: monitor`, or the global monitor option) never raise the action above 'tag': a
 *   message with monitor hits is delivered tagged, with `X-Postguard-Monitor: <would-be action>; rules=<ids>`.
 * - A rule with `stop: true` that fires in enforce mode ends the evaluation (explicit exceptions first).
 * - Reasons, reply texts and headers carry counts, kinds and rule ids only — never customer data.
 */
import type { Action, RuleHit, SmtpReply, Verdict } from '../core/types.js';
import { buildContext } from './context.js';
import type { DecideInput, DecideOptions, MatchFacts, PolicySet, Rule } from './types.js';

const SEVERITY: Record<Action, number> = { deliver: 0, tag: 1, quarantine: 2, reject: 3 };

export function moreSevere(a: Action, b: Action): Action {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** Replaces {count} {customers} {recipients} {kinds} {rule} in a policy-written text. */
function template(text: string, rule: Rule, facts: MatchFacts): string {
  const kinds = [...facts.kinds].sort().join(', ') || 'personal data';
  return text.replace(/\{(count|customers|recipients|kinds|rule)\}/g, (_m, k: string) => {
    switch (k) {
      case 'count':
      case 'customers':
        return String(facts.customers.size);
      case 'recipients':
        return String(facts.recipients);
      case 'kinds':
        return kinds;
      default:
        return rule.id;
    }
  });
}

function hitReason(rule: Rule, facts: MatchFacts): string {
  if (rule.reason) return template(rule.reason, rule, facts);
  if (facts.reasons.length > 0) return facts.reasons.join('; ');
  return rule.description || `Rule ${rule.id} matched`;
}

function makeHit(rule: Rule, facts: MatchFacts, mode: 'enforce' | 'monitor'): RuleHit {
  const hit: RuleHit = {
    ruleId: rule.id,
    action: rule.action,
    mode,
    reason: hitReason(rule, facts),
    evidence: facts.evidence,
  };
  if (rule.notify.sender || rule.notify.admins) hit.notify = { ...rule.notify };
  return hit;
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export function decide(input: DecideInput, policy: PolicySet, opts: DecideOptions = {}): Verdict {
  const ctx = buildContext(input, policy);
  const hits: RuleHit[] = [];
  const factsOf = new Map<RuleHit, { rule: Rule; facts: MatchFacts }>();
  for (const rule of policy.rules) {
    if (!rule.enabled) continue;
    const facts = rule.when(ctx);
    if (!facts) continue;
    if (rule.unless && rule.unless(ctx)) continue;
    const mode = opts.monitor ? 'monitor' : rule.mode;
    const hit = makeHit(rule, facts, mode);
    hits.push(hit);
    factsOf.set(hit, { rule, facts });
    if (rule.stop && rule.mode === 'enforce') break;
  }

  const enforced = hits.filter((h) => h.mode === 'enforce');
  const monitored = hits.filter((h) => h.mode === 'monitor' && h.action !== 'deliver');
  let action: Action = 'deliver';
  for (const h of enforced) action = moreSevere(action, h.action);

  const verdict: Verdict = { action, rules: [], reason: '', hits };
  const deciding = enforced.filter((h) => h.action === action);

  if (action === 'deliver' && monitored.length === 0) {
    verdict.rules = deciding.map((h) => h.ruleId);
    verdict.reason =
      deciding.length > 0
        ? sentence(`Delivered: ${deciding[0]!.reason}`)
        : 'No rule matched: nothing held for these recipients.';
    return verdict;
  }

  const headers: Record<string, string> = {};
  if (monitored.length > 0) {
    let would: Action = 'deliver';
    for (const h of monitored) would = moreSevere(would, h.action);
    headers['X-Postguard-Monitor'] = `${would}; rules=${monitored.map((h) => h.ruleId).join(',')}`;
  }

  if (action === 'deliver' || action === 'tag') {
    // Delivered with headers: enforced tag rules, and/or monitor hits.
    verdict.action = 'tag';
    const tagRules = action === 'tag' ? deciding : [];
    verdict.rules = (tagRules.length > 0 ? tagRules : monitored).map((h) => h.ruleId);
    headers['X-Postguard-Verdict'] = 'tag';
    headers['X-Postguard-Rules'] = verdict.rules.join(',');
    verdict.headers = headers;
    if (tagRules.length > 0) {
      verdict.reason = sentence(`Tagged: ${summary(tagRules)}`);
    } else {
      let would: Action = 'deliver';
      for (const h of monitored) would = moreSevere(would, h.action);
      const first = monitored.find((h) => h.action === would) ?? monitored[0]!;
      verdict.reason = sentence(`Monitor mode: would have ${pastTense(would)} (${first.reason})`);
    }
    return verdict;
  }

  verdict.rules = deciding.map((h) => h.ruleId);
  verdict.reason = sentence(`${action === 'reject' ? 'Rejected' : 'Held'}: ${summary(deciding)}`);
  if (Object.keys(headers).length > 0) verdict.headers = headers;
  if (action === 'reject') {
    const first = deciding[0]!;
    const { rule, facts } = factsOf.get(first)!;
    verdict.reply = rejectReply(rule, facts, first.reason);
  }
  return verdict;
}

function summary(hits: RuleHit[]): string {
  const first = hits[0]!;
  if (hits.length === 1) return first.reason;
  return `${first.reason}; also ${hits
    .slice(1)
    .map((h) => h.ruleId)
    .join(', ')}`;
}

function pastTense(a: Action): string {
  return a === 'reject' ? 'rejected' : a === 'quarantine' ? 'quarantined' : a === 'tag' ? 'tagged' : 'delivered';
}

function rejectReply(rule: Rule, facts: MatchFacts, reason: string): SmtpReply {
  const code = rule.reply?.code ?? 550;
  const enhanced = rule.reply?.enhanced ?? '5.7.1';
  const text = rule.reply?.text ? template(rule.reply.text, rule, facts) : `${reason}; not sent`;
  // One line, printable: the reply goes on the wire.
  return {
    code,
    enhanced,
    text: text
      .replace(/[\r\n]+/g, ' ')
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 400),
  };
}
