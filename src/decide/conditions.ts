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
import { domainToASCII } from 'node:url';
import { domainMatches } from '../core/address.js';
import type { SegmentLocation, Strength } from '../core/types.js';
import { LOCATIONS, UNSCANNABLE_REASONS, buildCheck, checkNames, checkParamSpec, type CheckParams } from './checks.js';
import {
  MAX_EVIDENCE,
  emptyFacts,
  findingEvidence,
  findingMatches,
  foreignAnalysis,
  mergeFacts,
  normalizeDomainEntry,
  type FindingFilter,
} from './context.js';
import type { Condition, EvalContext, MatchFacts, PolicySettings } from './types.js';
import type { LNode, MapNode, PolicyIssue } from '../core/yaml-tree.js';


export class ConditionCompiler {
  constructor(
    private readonly file: string,
    private readonly issues: PolicyIssue[],
    private readonly groups: Map<string, string[]>,
    private readonly settings: PolicySettings,
  ) {}

  issueCount(): number {
    return this.issues.length;
  }

  err(line: number, key: string, message: string): void {
    this.issues.push({ file: this.file, line, key, message });
  }

  // --- scalar readers (push an issue and return undefined when wrong) -------------------------------------

  str(n: LNode, key: string): string | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'string' && n.value.trim() !== '') return n.value;
    this.err(n.line, key, 'must be a non-empty string');
    return undefined;
  }

  int(n: LNode, key: string, min = 0): number | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'number' && Number.isInteger(n.value) && n.value >= min) return n.value;
    this.err(n.line, key, `must be an integer ≥ ${min}`);
    return undefined;
  }

  bool(n: LNode, key: string): boolean | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'boolean') return n.value;
    this.err(n.line, key, 'must be true or false');
    return undefined;
  }

  /** A string or a list of strings. */
  strList(n: LNode, key: string, allowEmpty = false): string[] | undefined {
    if (allowEmpty && n.kind === 'scalar' && n.value === null) return [];
    if (n.kind === 'scalar' && typeof n.value === 'string' && n.value.trim()) return [n.value.trim()];
    if (n.kind === 'seq') {
      const out: string[] = [];
      let ok = true;
      n.items.forEach((it, i) => {
        const s = this.str(it, `${key}[${i}]`);
        if (s === undefined) ok = false;
        else out.push(s.trim());
      });
      if (ok && (out.length > 0 || allowEmpty)) return out;
      if (ok) this.err(n.line, key, 'must not be empty');
      return undefined;
    }
    this.err(n.line, key, 'must be a string or a list of strings');
    return undefined;
  }

  oneOf<T extends string>(n: LNode, key: string, allowed: readonly T[]): T[] | undefined {
    const list = this.strList(n, key);
    if (!list) return undefined;
    const bad = list.filter((x) => !allowed.includes(x as T));
    if (bad.length) {
      this.err(n.line, key, `unknown value ${bad.map((b) => JSON.stringify(b)).join(', ')} (allowed: ${allowed.join(', ')})`);
      return undefined;
    }
    return list as T[];
  }

  strength(n: LNode, key: string): Strength | undefined {
    const v = this.oneOf(n, key, ['strong', 'weak'] as const);
    if (v && v.length !== 1) {
      this.err(n.line, key, 'must be one value: strong or weak');
      return undefined;
    }
    return v?.[0];
  }

  regex(n: LNode, key: string): RegExp | undefined {
    const s = this.str(n, key);
    if (s === undefined) return undefined;
    try {
      return new RegExp(s, 'iu');
    } catch (e) {
      this.err(n.line, key, `invalid regular expression: ${(e as Error).message}`);
      return undefined;
    }
  }

  map(n: LNode, key: string, allowed: readonly string[]): MapNode | undefined {
    if (n.kind !== 'map') {
      this.err(n.line, key, 'must be a mapping');
      return undefined;
    }
    for (const [k, e] of n.entries) {
      if (!allowed.includes(k)) this.err(e.keyLine, join(key, k), `unknown key (allowed: ${allowed.join(', ')})`);
    }
    return n;
  }

  /** Address/domain list entries: "user@example.com" or "@example.com" (domain and its subdomains). */
  addressList(n: LNode, key: string): string[] | undefined {
    const list = this.strList(n, key);
    if (!list) return undefined;
    const out: string[] = [];
    for (const raw of list) {
      const s = raw.toLowerCase();
      if (s.startsWith('@') ? /^@[a-z0-9.-]+\.[a-z0-9-]+$/.test(s) : /^[^@\s]+@[a-z0-9.-]+\.[a-z0-9-]+$/.test(s)) out.push(s);
      else {
        this.err(n.line, key, `${JSON.stringify(raw)} is neither an address nor an @domain`);
        return undefined;
      }
    }
    return out;
  }

  domainList(n: LNode, key: string, allowEmpty = false): string[] | undefined {
    const list = this.strList(n, key, allowEmpty);
    if (!list) return undefined;
    const out = list.map((d) => domainToASCII(normalizeDomainEntry(d)) || normalizeDomainEntry(d));
    const bad = out.find((d) => !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d));
    if (bad !== undefined) {
      this.err(n.line, key, `${JSON.stringify(bad)} is not a domain`);
      return undefined;
    }
    return out;
  }

  // --- conditions -----------------------------------------------------------------------------------------

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
          c = inner ? (ctx) => (inner(ctx) ? null : emptyFacts()) : undefined;
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
    return and(parts);
  }

  private check(n: MapNode, entry: { keyLine: number; value: LNode }, key: string, paramKeys: Set<string>): Condition | undefined {
    const name = this.str(entry.value, join(key, 'check'));
    if (name === undefined) return undefined;
    const spec = checkParamSpec(name);
    if (!spec) {
      this.err(entry.keyLine, join(key, 'check'), `unknown check ${JSON.stringify(name)} (known: ${checkNames().join(', ')})`);
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
          const v = this.int(e.value, pk, k.startsWith('min_') || k === 'window' ? 1 : 0);
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
    if (op === 'all') return and(list);
    return (ctx) => {
      let facts: MatchFacts | null = null;
      for (const c of list) {
        const f = c(ctx);
        if (f) facts = facts ? mergeFacts(facts, f) : f;
      }
      return facts;
    };
  }

  private findings(n: LNode, key: string): Condition | undefined {
    const m = this.map(n, key, ['kinds', 'exclude_kinds', 'locations', 'min_strength', 'foreign', 'min_count', 'min_customers']);
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
    return (ctx) => {
      const facts = emptyFacts();
      if (foreign) {
        const a = foreignAnalysis(ctx, filter);
        let best = 0;
        for (const fs of a.byRecipient.values()) best = Math.max(best, fs.length);
        if (best < minCount || a.maxCustomers < minCustomers) return null;
        for (const c of a.maxSet) facts.customers.add(c);
        for (const [r, fs] of a.byRecipient) {
          for (const f of fs) {
            facts.kinds.add(f.kind);
            if (facts.evidence.length < MAX_EVIDENCE) facts.evidence.push(findingEvidence(f, r));
          }
        }
        facts.recipients = a.byRecipient.size;
        return facts;
      }
      const fs = ctx.input.detection.findings.filter((f) => findingMatches(f, filter));
      if (fs.length < minCount) return null;
      for (const f of fs) {
        for (const c of f.customers) facts.customers.add(c);
        facts.kinds.add(f.kind);
        if (facts.evidence.length < MAX_EVIDENCE) facts.evidence.push(findingEvidence(f));
      }
      if (facts.customers.size < minCustomers) return null;
      return facts;
    };
  }

  private recipients(n: LNode, key: string): Condition | undefined {
    const m = this.map(n, key, [
      'min_count', 'max_count', 'any_external', 'all_internal', 'any_domain', 'all_domains', 'any_resolved',
      'all_resolved', 'min_customers',
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
    return (ctx) => (tests.every((t) => t(ctx)) ? emptyFacts() : null);
  }

  private sender(n: LNode, key: string): Condition | undefined {
    const list = this.addressList(n, key);
    if (!list) return undefined;
    return (ctx) => (senderIn(ctx, list) ? emptyFacts() : null);
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
    return (ctx) => (senderIn(ctx, members) ? emptyFacts() : null);
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
      if (b !== undefined) test = (vals) => (vals.length > 0) === b;
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
    const t = test;
    return (ctx) => (t(ctx.input.parsed.headers.get(name) ?? []) ? emptyFacts() : null);
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
        facts.evidence.push({ kind: 'attachment', masked: a.contentType, source: `attachment:${a.source}`, customers: [] });
      }
      return facts;
    };
  }
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

function and(parts: Condition[]): Condition {
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

function join(path: string, k: string): string {
  return path ? `${path}.${k}` : k;
}

export { join as joinKey };
