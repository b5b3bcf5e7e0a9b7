/**
 * Loads and validates policy files: every `*.yaml|*.yml` in a folder, sorted by file name. Rules run in
 * `order` (default 500), ties in load order (file name, then position in the file).
 *
 * Validation errors name file, line and key: PostguardError POLICY_INVALID with
 * details { file, line, key, issues: PolicyIssue[] } and a message "file:line: key: message".
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join as joinPath } from 'node:path';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { ConditionCompiler, joinKey } from './conditions.js';
import { normalizeDomainEntry } from './context.js';
import { ACTIONS, MODES, RULE_ID, RULE_KEYS, TOP_KEYS } from './policy-schema.js';
import { schemaIssues } from './schema-check.js';
import type { PolicySet, PolicySettings, Rule, RuleReply } from './types.js';
import { formatIssue, readYamlTree, type LNode, type MapNode, type PolicyIssue } from '../core/yaml-tree.js';

export const DEFAULT_ORDER = 500;
export const DEFAULT_BULK_THRESHOLD = 5;

export interface PolicySource {
  /** Name used in messages (the file name). */
  name: string;
  text: string;
}

interface ParsedFile {
  name: string;
  root: MapNode;
}

/** Thrown for any invalid policy set; the first issue is in message and details, all issues in details.issues. */
export function policyError(issues: PolicyIssue[]): PostguardError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new PostguardError(ErrorCodes.POLICY_INVALID, `${formatIssue(first)}${more}`, {
    details: { file: first.file, line: first.line, key: first.key, issues },
  });
}

/**
 * Compiles policy sources (already read) into a PolicySet; throws POLICY_INVALID. Each file is checked against the
 * policy schema first (schema-check.ts); the compiler then checks what a schema cannot (regexes, group names,
 * duplicate ids, reply classes). A key the schema already faulted is not reported twice.
 */
export function compilePolicies(sources: readonly PolicySource[]): PolicySet {
  const schemaFound: PolicyIssue[] = [];
  const issues: PolicyIssue[] = [];
  if (sources.length === 0) {
    throw policyError([{ file: '(policies)', line: 0, key: '', message: 'no policy files (*.yaml, *.yml) found' }]);
  }
  const files: ParsedFile[] = [];
  for (const s of sources) {
    const tree = readYamlTree(s.name, s.text, issues);
    if (!tree) continue;
    schemaFound.push(...schemaIssues(s.name, tree));
    if (tree.kind !== 'map') {
      issues.push({ file: s.name, line: tree.line, key: '', message: 'a policy file must be a mapping with "rules:"' });
      continue;
    }
    for (const [k, e] of tree.entries) {
      if (!TOP_KEYS.includes(k))
        issues.push({
          file: s.name,
          line: e.keyLine,
          key: k,
          message: `unknown key (allowed: ${TOP_KEYS.join(', ')})`,
        });
    }
    files.push({ name: s.name, root: tree });
  }

  // Pass 1: settings, groups, partners (shared by all files).
  const settings: PolicySettings = { bulkThreshold: DEFAULT_BULK_THRESHOLD, lookalikeDomains: [] };
  const groups = new Map<string, string[]>();
  const groupOrigin = new Map<string, string>();
  const partners: string[] = [];
  for (const f of files) {
    const c = new ConditionCompiler(f.name, issues, groups, settings);
    const v = f.root.entries.get('version');
    if (v && !(v.value.kind === 'scalar' && v.value.value === 1))
      c.err(v.keyLine, 'version', 'only version 1 is supported');
    const st = f.root.entries.get('settings');
    if (st) {
      const m = c.map(st.value, 'settings', ['bulk_threshold', 'lookalike_domains']);
      const bt = m?.entries.get('bulk_threshold');
      if (bt) {
        const n = c.int(bt.value, 'settings.bulk_threshold', 2);
        if (n !== undefined) settings.bulkThreshold = n;
      }
      const ld = m?.entries.get('lookalike_domains');
      if (ld) {
        const d = c.domainList(ld.value, 'settings.lookalike_domains', true);
        if (d) settings.lookalikeDomains.push(...d);
      }
    }
    const g = f.root.entries.get('groups');
    if (g) {
      if (g.value.kind !== 'map') c.err(g.value.line, 'groups', 'must be a mapping name → [addresses or @domains]');
      else {
        for (const [name, e] of g.value.entries) {
          const key = `groups.${name}`;
          if (!RULE_ID.test(name)) c.err(e.keyLine, key, 'group names use letters, digits, ".", "_" and "-"');
          else if (groups.has(name)) c.err(e.keyLine, key, `group already defined in ${groupOrigin.get(name)}`);
          const list = c.addressList(e.value, key);
          if (list && !groups.has(name)) {
            groups.set(name, list);
            groupOrigin.set(name, `${f.name}:${e.keyLine}`);
          }
        }
      }
    }
    const p = f.root.entries.get('partners');
    if (p) {
      const d = c.domainList(p.value, 'partners', true);
      if (d) partners.push(...d);
    }
  }

  // Pass 2: rules.
  const rules: Rule[] = [];
  const ids = new Map<string, string>();
  let seq = 0;
  const seqOf = new Map<Rule, number>();
  for (const f of files) {
    const c = new ConditionCompiler(f.name, issues, groups, settings);
    const r = f.root.entries.get('rules');
    if (!r) continue;
    if (r.value.kind !== 'seq') {
      c.err(r.value.line, 'rules', 'must be a list of rules');
      continue;
    }
    r.value.items.forEach((item, i) => {
      const rule = compileRule(c, f.name, item, `rules[${i}]`, ids);
      if (rule) {
        rules.push(rule);
        seqOf.set(rule, seq++);
      }
    });
  }
  const all = mergeIssues(sources, schemaFound, issues);
  if (all.length > 0) throw policyError(all);
  if (rules.length === 0) {
    throw policyError([{ file: sources[0]!.name, line: 1, key: 'rules', message: 'the policy set has no rules' }]);
  }
  rules.sort((a, b) => a.order - b.order || seqOf.get(a)! - seqOf.get(b)!);
  return {
    rules,
    groups,
    partners: [...new Set(partners)],
    settings,
    files: sources.map((s) => s.name),
    loadedAt: new Date(),
  };
}

/** Schema issues, then the compiler's at other keys; in file order, then line order. */
function mergeIssues(
  sources: readonly PolicySource[],
  fromSchema: PolicyIssue[],
  fromCompiler: PolicyIssue[],
): PolicyIssue[] {
  const faulted = new Set(fromSchema.map((i) => `${i.file}\0${i.key}`));
  const fileIndex = new Map(sources.map((s, i) => [s.name, i]));
  return [...fromSchema, ...fromCompiler.filter((i) => !faulted.has(`${i.file}\0${i.key}`))].sort(
    (a, b) => (fileIndex.get(a.file) ?? 0) - (fileIndex.get(b.file) ?? 0) || a.line - b.line,
  );
}

function compileRule(
  c: ConditionCompiler,
  file: string,
  node: LNode,
  key: string,
  ids: Map<string, string>,
): Rule | undefined {
  const m = c.map(node, key, RULE_KEYS);
  if (!m) return undefined;
  const before = countIssues(c);
  const get = (k: string) => m.entries.get(k);
  const req = (k: string): LNode | undefined => {
    const e = get(k);
    if (!e) c.err(m.line, joinKey(key, k), 'required');
    return e?.value;
  };

  const idNode = req('id');
  const id = idNode ? c.str(idNode, joinKey(key, 'id')) : undefined;
  let ruleKey = key;
  if (id !== undefined) {
    ruleKey = `rules[${id}]`;
    if (!RULE_ID.test(id))
      c.err(idNode!.line, joinKey(key, 'id'), 'rule ids use letters, digits, ".", "_" and "-" (max 64)');
    else if (ids.has(id))
      c.err(idNode!.line, joinKey(key, 'id'), `duplicate rule id ${JSON.stringify(id)} (first in ${ids.get(id)})`);
    else ids.set(id, `${file}:${m.line}`);
  }
  const k = (x: string) => joinKey(ruleKey, x);

  const description = get('description') ? c.str(get('description')!.value, k('description')) : '';
  const category = get('category') ? c.str(get('category')!.value, k('category')) : undefined;
  const order = get('order') ? c.int(get('order')!.value, k('order'), 0) : DEFAULT_ORDER;
  const enabled = get('enabled') ? c.bool(get('enabled')!.value, k('enabled')) : true;
  const stop = get('stop') ? c.bool(get('stop')!.value, k('stop')) : false;
  const actionNode = req('action');
  const action = actionNode ? c.oneOf(actionNode, k('action'), ACTIONS)?.[0] : undefined;
  const mode = get('mode') ? c.oneOf(get('mode')!.value, k('mode'), MODES)?.[0] : 'enforce';
  const reason = get('reason') ? c.str(get('reason')!.value, k('reason')) : undefined;

  let notify = { sender: false, admins: false };
  const nt = get('notify');
  if (nt) {
    if (nt.value.kind === 'scalar' || nt.value.kind === 'seq') {
      const who = c.oneOf(nt.value, k('notify'), ['sender', 'admins'] as const);
      if (who) notify = { sender: who.includes('sender'), admins: who.includes('admins') };
    } else {
      const nm = c.map(nt.value, k('notify'), ['sender', 'admins']);
      const s = nm?.entries.get('sender');
      const a = nm?.entries.get('admins');
      notify = {
        sender: s ? (c.bool(s.value, k('notify.sender')) ?? false) : false,
        admins: a ? (c.bool(a.value, k('notify.admins')) ?? false) : false,
      };
    }
  }

  let reply: RuleReply | undefined;
  const rp = get('reply');
  if (rp) {
    if (action !== undefined && action !== 'reject') c.err(rp.keyLine, k('reply'), 'only a reject rule has a reply');
    const rm = c.map(rp.value, k('reply'), ['code', 'enhanced', 'text']);
    if (rm) {
      const codeE = rm.entries.get('code');
      const code = codeE ? c.int(codeE.value, k('reply.code'), 0) : 550;
      if (code !== undefined && (code < 400 || code > 599))
        c.err(codeE!.value.line, k('reply.code'), 'must be a 4xx or 5xx SMTP code');
      const enhE = rm.entries.get('enhanced');
      const enhanced = enhE
        ? c.str(enhE.value, k('reply.enhanced'))
        : code !== undefined && code < 500
          ? '4.7.1'
          : '5.7.1';
      if (
        enhanced !== undefined &&
        code !== undefined &&
        !new RegExp(`^${String(code)[0]}\\.\\d{1,3}\\.\\d{1,3}$`).test(enhanced)
      ) {
        c.err(
          enhE?.value.line ?? rm.line,
          k('reply.enhanced'),
          `must look like ${String(code)[0]}.7.1 and match the code class`,
        );
      }
      const textE = rm.entries.get('text');
      const text = textE ? c.str(textE.value, k('reply.text')) : undefined;
      if (text !== undefined && /[\r\n]/.test(text)) c.err(textE!.value.line, k('reply.text'), 'must be one line');
      if (code !== undefined && enhanced !== undefined) {
        reply = { code, enhanced };
        if (text !== undefined) reply.text = text;
      }
    }
  }

  const whenNode = req('when');
  const when = whenNode ? c.condition(whenNode, k('when')) : undefined;
  const unlessNode = get('unless');
  const unless = unlessNode ? c.condition(unlessNode.value, k('unless')) : undefined;

  if (countIssues(c) > before || id === undefined || !action || !when || !mode) return undefined;
  const rule: Rule = {
    id,
    description: description ?? '',
    origin: `${file}:${m.line}`,
    file,
    line: m.line,
    order: order ?? DEFAULT_ORDER,
    enabled: enabled ?? true,
    mode,
    action,
    notify,
    stop: stop ?? false,
    when,
    category: category ?? id,
  };
  if (reply) rule.reply = reply;
  if (action === 'reject' && !reply) rule.reply = { code: 550, enhanced: '5.7.1' };
  if (reason !== undefined) rule.reason = reason;
  if (unless) rule.unless = unless;
  return rule;
}

function countIssues(c: ConditionCompiler): number {
  return c.issueCount();
}

/** Reads every *.yaml|*.yml in `dir` (sorted by name) and compiles them. */
export async function loadPolicies(dir: string): Promise<PolicySet> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isFile() && /\.ya?ml$/i.test(d.name) && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch (err) {
    throw new PostguardError(
      ErrorCodes.POLICY_INVALID,
      `${dir}: cannot read policy folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        cause: err,
        details: { file: dir, line: 0, key: '', issues: [] },
      },
    );
  }
  const sources: PolicySource[] = [];
  for (const n of names) sources.push({ name: basename(n), text: await readFile(joinPath(dir, n), 'utf8') });
  if (sources.length === 0) {
    throw policyError([{ file: dir, line: 0, key: '', message: 'no policy files (*.yaml, *.yml) found' }]);
  }
  return compilePolicies(sources);
}

export { normalizeDomainEntry };
