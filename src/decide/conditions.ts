/**
 * The condition language: compiles `when:` / `unless:` YAML into Conditions.
 *
 * A condition is a mapping; every key in it must hold (AND). Keys:
 *   check: NAME (+ the check's parameters as sibling keys)   built-in checks (checks.ts)
 *   all: [cond, …]   any: [cond, …]   not: cond
 *   findings:   { kinds, exclude_kinds, locations, min_strength, foreign, min_count, min_customers }
 *   recipients: { min_count, max_count, any_external, all_internal, any_domain, all_domains,
 *                 any_resolved, all_resolved, min_customers }
 *   sender: [address | @domain, …]      sender_group: NAME | [NAME, …]
 *   header: { name, exists | equals | contains | matches }
 *   attachments: { types, extensions, min_count }
 * See policies/README.md.
 */
import { domainMatches } from '../core/address.js';
import type { SegmentLocation } from '../core/types.js';
import type { LNode, MapNode, PolicyIssue } from '../core/yaml-tree.js';
import {
  allHold,
  allOf,
  anyOf,
  attachmentsMatch,
  findingsMatch,
  headerMatch,
  not,
  senderMatch,
} from './condition-matchers.js';
import { LOCATIONS, UNSCANNABLE_REASONS, buildCheck, checkNames, checkParamSpec, type CheckParams } from './checks.js';
import type { FindingFilter } from './context.js';
import { intParamMinimum } from './policy-schema.js';
import { PolicyReader, joinKey as join } from './policy-reader.js';
import type { Condition, EvalContext, PolicySettings } from './types.js';

export { joinKey } from './policy-reader.js';

/** Compiles `when:` / `unless:` conditions of one policy file; issues go to the shared list. */
export class ConditionCompiler extends PolicyReader {
  constructor(
    file: string,
    issues: PolicyIssue[],
    private readonly groups: Map<string, string[]>,
    private readonly settings: PolicySettings,
  ) {
    super(file, issues);
  }

  /** Compiles a condition mapping. Returns undefined when invalid (issues recorded). */
  condition(n: LNode, key: string): Condition | undefined {
    if (n.kind !== 'map') {
      this.err(n.line, key, 'a condition must be a mapping (e.g. "check: foreign_data")');
      return undefined;
    }
    if (n.entries.size === 0) {
      this.err(n.line, key, 'empty condition');
      return undefined;
    }
    const parts: Condition[] = [];
    let ok = true;
    const checkEntry = n.entries.get('check');
    const paramKeys = new Set<string>();
    if (checkEntry) {
      const c = this.check(n, checkEntry, key, paramKeys);
      if (c) parts.push(c);
      else ok = false;
    }
    for (const [k, e] of n.entries) {
      if (k === 'check' || paramKeys.has(k)) continue;
      const ck = join(key, k);
      let c: Condition | undefined;
      switch (k) {
        case 'all':
        case 'any':
          c = this.combo(k, e.value, ck);
          break;
        case 'not': {
          const inner = this.condition(e.value, ck);
          c = inner ? not(inner) : undefined;
          break;
        }
        case 'findings':
          c = this.findings(e.value, ck);
          break;
        case 'recipients':
          c = this.recipients(e.value, ck);
          break;
        case 'sender':
          c = this.sender(e.value, ck);
          break;
        case 'sender_group':
          c = this.senderGroup(e.value, ck);
          break;
        case 'header':
          c = this.header(e.value, ck);
          break;
        case 'attachments':
          c = this.attachments(e.value, ck);
          break;
        default:
          this.err(
            e.keyLine,
            ck,
            checkEntry
              ? `unknown key: not a parameter of this check nor a condition`
              : `unknown condition (use check, all, any, not, findings, recipients, sender, sender_group, header, attachments)`,
          );
      }
      if (c) parts.push(c);
      else ok = false;
    }
    if (!ok) return undefined;
    return allOf(parts);
  }

  private check(
    n: MapNode,
    entry: { keyLine: number; value: LNode },
    key: string,
    paramKeys: Set<string>,
  ): Condition | undefined {
    const name = this.str(entry.value, join(key, 'check'));
    if (name === undefined) return undefined;
    const spec = checkParamSpec(name);
    if (!spec) {
      this.err(
        entry.keyLine,
        join(key, 'check'),
        `unknown check ${JSON.stringify(name)} (known: ${checkNames().join(', ')})`,
      );
      return undefined;
    }
    const params: CheckParams = { int: new Map(), bool: new Map(), strength: new Map(), strings: new Map() };
    let ok = true;
    for (const [k, e] of n.entries) {
      const type = spec[k];
      if (!type) continue;
      paramKeys.add(k);
      const pk = join(key, k);
      switch (type) {
        case 'int': {
          const v = this.int(e.value, pk, intParamMinimum(k));
          if (v === undefined) ok = false;
          else params.int.set(k, v);
          break;
        }
        case 'bool': {
          const v = this.bool(e.value, pk);
          if (v === undefined) ok = false;
          else params.bool.set(k, v);
          break;
        }
        case 'strength': {
          const v = this.strength(e.value, pk);
          if (v === undefined) ok = false;
          else params.strength.set(k, v);
          break;
        }
        case 'strings': {
          const v = this.strList(e.value, pk);
          if (v === undefined) ok = false;
          else params.strings.set(k, v);
          break;
        }
        case 'locations': {
          const v = this.oneOf(e.value, pk, LOCATIONS);
          if (v === undefined) ok = false;
          else params.strings.set(k, v);
          break;
        }
        case 'reasons': {
          const v = this.oneOf(e.value, pk, UNSCANNABLE_REASONS);
          if (v === undefined) ok = false;
          else params.strings.set(k, v);
          break;
        }
        case 'domains': {
          const v = this.domainList(e.value, pk);
          if (v === undefined) ok = false;
          else params.strings.set(k, v);
          break;
        }
      }
    }
    return ok ? buildCheck(name, params, this.settings) : undefined;
  }

  private combo(op: 'all' | 'any', n: LNode, key: string): Condition | undefined {
    if (n.kind !== 'seq' || n.items.length === 0) {
      this.err(n.line, key, `${op} must be a non-empty list of conditions`);
      return undefined;
    }
    const subs = n.items.map((it, i) => this.condition(it, `${key}[${i}]`));
    if (subs.some((s) => !s)) return undefined;
    const list = subs as Condition[];
    return op === 'all' ? allOf(list) : anyOf(list);
  }

  private findings(n: LNode, key: string): Condition | undefined {
    const m = this.map(n, key, [
      'kinds',
      'exclude_kinds',
      'locations',
      'min_strength',
      'foreign',
      'min_count',
      'min_customers',
    ]);
    if (!m) return undefined;
    const filter: FindingFilter = { minStrength: 'weak' };
    let foreign = false;
    let minCount = 1;
    let minCustomers = 1;
    let ok = true;
    for (const [k, e] of m.entries) {
      const ck = join(key, k);
      if (k === 'kinds' || k === 'exclude_kinds') {
        const v = this.strList(e.value, ck);
        if (!v) ok = false;
        else if (k === 'kinds') filter.kinds = new Set(v);
        else filter.excludeKinds = new Set(v);
      } else if (k === 'locations') {
        const v = this.oneOf(e.value, ck, LOCATIONS);
        if (!v) ok = false;
        else filter.locations = new Set<SegmentLocation>(v);
      } else if (k === 'min_strength') {
        const v = this.strength(e.value, ck);
        if (!v) ok = false;
        else filter.minStrength = v;
      } else if (k === 'foreign') {
        const v = this.bool(e.value, ck);
        if (v === undefined) ok = false;
        else foreign = v;
      } else {
        const v = this.int(e.value, ck, 1);
        if (v === undefined) ok = false;
        else if (k === 'min_count') minCount = v;
        else minCustomers = v;
      }
    }
    if (!ok) return undefined;
    return findingsMatch(filter, { foreign, minCount, minCustomers });
  }

  private recipients(n: LNode, key: string): Condition | undefined {
    const m = this.map(n, key, [
      'min_count',
      'max_count',
      'any_external',
      'all_internal',
      'any_domain',
      'all_domains',
      'any_resolved',
      'all_resolved',
      'min_customers',
    ]);
    if (!m) return undefined;
    const tests: ((ctx: EvalContext) => boolean)[] = [];
    let ok = true;
    for (const [k, e] of m.entries) {
      const ck = join(key, k);
      if (k === 'min_count' || k === 'max_count' || k === 'min_customers') {
        const v = this.int(e.value, ck, 0);
        if (v === undefined) {
          ok = false;
          continue;
        }
        if (k === 'min_count') tests.push((ctx) => ctx.recipients.length >= v);
        else if (k === 'max_count') tests.push((ctx) => ctx.recipients.length <= v);
        else tests.push((ctx) => new Set(ctx.recipients.flatMap((r) => r.customers)).size >= v);
      } else if (k === 'any_domain' || k === 'all_domains') {
        const v = this.domainList(e.value, ck);
        if (!v) {
          ok = false;
          continue;
        }
        if (k === 'any_domain') tests.push((ctx) => ctx.recipients.some((r) => domainMatches(r.domain, v)));
        else tests.push((ctx) => ctx.recipients.length > 0 && ctx.recipients.every((r) => domainMatches(r.domain, v)));
      } else {
        const v = this.bool(e.value, ck);
        if (v === undefined) {
          ok = false;
          continue;
        }
        const pred: (ctx: EvalContext) => boolean =
          k === 'any_external'
            ? (ctx) => ctx.recipients.some((r) => !r.internal)
            : k === 'all_internal'
              ? (ctx) => ctx.recipients.length > 0 && ctx.recipients.every((r) => r.internal)
              : k === 'any_resolved'
                ? (ctx) => ctx.recipients.some((r) => !r.internal && r.customers.length > 0)
                : (ctx) => {
                    const ext = ctx.recipients.filter((r) => !r.internal);
                    return ext.length > 0 && ext.every((r) => r.customers.length > 0);
                  };
        tests.push(v ? pred : (ctx) => !pred(ctx));
      }
    }
    if (!ok) return undefined;
    return allHold(tests);
  }

  private sender(n: LNode, key: string): Condition | undefined {
    const list = this.addressList(n, key);
    if (!list) return undefined;
    return senderMatch(list);
  }

  private senderGroup(n: LNode, key: string): Condition | undefined {
    const names = this.strList(n, key);
    if (!names) return undefined;
    const members: string[] = [];
    for (const name of names) {
      const g = this.groups.get(name);
      if (!g) {
        this.err(n.line, key, `unknown sender group ${JSON.stringify(name)} (define it under "groups:")`);
        return undefined;
      }
      members.push(...g);
    }
    return senderMatch(members);
  }

  private header(n: LNode, key: string): Condition | undefined {
    const m = this.map(n, key, ['name', 'exists', 'equals', 'contains', 'matches']);
    if (!m) return undefined;
    const nameE = m.entries.get('name');
    if (!nameE) {
      this.err(m.line, join(key, 'name'), 'required');
      return undefined;
    }
    const name = this.str(nameE.value, join(key, 'name'))?.toLowerCase();
    const ops = ['exists', 'equals', 'contains', 'matches'].filter((k) => m.entries.has(k));
    if (ops.length !== 1) {
      this.err(m.line, key, 'needs exactly one of exists, equals, contains, matches');
      return undefined;
    }
    const op = ops[0] as 'exists' | 'equals' | 'contains' | 'matches';
    const v = m.entries.get(op)!.value;
    const ck = join(key, op);
    let test: ((values: string[]) => boolean) | undefined;
    if (op === 'exists') {
      const b = this.bool(v, ck);
      if (b !== undefined) test = (vals) => vals.length > 0 === b;
    } else if (op === 'matches') {
      const re = this.regex(v, ck);
      if (re) test = (vals) => vals.some((x) => re.test(x));
    } else {
      const s = this.str(v, ck)?.toLowerCase();
      if (s !== undefined) {
        test =
          op === 'equals'
            ? (vals) => vals.some((x) => x.trim().toLowerCase() === s)
            : (vals) => vals.some((x) => x.toLowerCase().includes(s));
      }
    }
    if (!name || !test) return undefined;
    return headerMatch(name, test);
  }

  private attachments(n: LNode, key: string): Condition | undefined {
    const m = this.map(n, key, ['types', 'extensions', 'min_count']);
    if (!m) return undefined;
    let types: string[] | undefined;
    let exts: string[] | undefined;
    let minCount = 1;
    let ok = true;
    for (const [k, e] of m.entries) {
      const ck = join(key, k);
      if (k === 'min_count') {
        const v = this.int(e.value, ck, 1);
        if (v === undefined) ok = false;
        else minCount = v;
      } else {
        const v = this.strList(e.value, ck);
        if (!v) ok = false;
        else if (k === 'types') types = v.map((x) => x.toLowerCase());
        else exts = v.map((x) => x.toLowerCase().replace(/^\.?/, '.'));
      }
    }
    if (!ok) return undefined;
    return attachmentsMatch(types, exts, minCount);
  }
}
