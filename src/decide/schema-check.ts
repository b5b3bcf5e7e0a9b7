/**
 * Checks one policy file against the policy schema (policy-schema.ts) with ajv and turns every error into a
 * PolicyIssue that names file, line and key the way the compiler does ("rules[foreign-data].when.min_count").
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { nodeAt, plainValue, type LNode, type PolicyIssue } from '../core/yaml-tree.js';
import { checkNames, checkParamSpec } from './checks.js';
import { ADDRESS_ENTRY, CONDITION_KEYS, RULE_ID, policySchema } from './policy-schema.js';

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(
    policySchema(),
  );
  return validator;
}

/** Schema problems of one parsed policy file (empty when it has the declared shape). */
export function schemaIssues(file: string, root: LNode): PolicyIssue[] {
  const check = validate();
  if (check(plainValue(root))) return [];
  const issues: PolicyIssue[] = [];
  const seen = new Set<string>();
  for (const e of relevantErrors(check.errors ?? [])) {
    const issue = toIssue(file, root, e);
    const id = `${issue.key}\0${issue.line}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues.sort((a, b) => a.line - b.line);
}

/**
 * The errors a reader needs: ajv also reports each failed `if`, the `allOf` around it, and, for a value that may
 * be one thing or a list of them (anyOf), the branch it was not meant for. Of an anyOf, the errors inside the
 * branch of the value's own type (a list's bad item) are kept; when no branch fits its type, the anyOf itself.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.schemaPath.includes('/propertyNames/')) dropped.add(e); // the propertyNames error says it
    if (e.keyword !== 'anyOf') continue;
    const inner = errors.filter(
      (x) => x !== e && x.schemaPath.startsWith(`${e.schemaPath}/`) && x.instancePath.startsWith(e.instancePath),
    );
    const branchMismatch = (x: ErrorObject) =>
      x.instancePath === e.instancePath && (x.keyword === 'type' || x.keyword === 'enum');
    const meant = inner.filter((x) => !branchMismatch(x));
    if (meant.length > 0) {
      dropped.add(e);
      for (const x of inner) if (branchMismatch(x)) dropped.add(x);
    } else for (const x of inner) dropped.add(x);
  }
  return errors.filter((e) => !dropped.has(e));
}

function segmentsOf(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The compiler's key for a path: "rules[<id>]…" once the rule has an id (its own `id` key keeps the index),
 * list items as "[i]" — except items of a list of plain values, which are reported at the list.
 */
function keyOf(root: LNode, path: readonly string[]): string {
  let key = '';
  let node: LNode | undefined = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] ?? '';
    const step: ReturnType<typeof nodeAt> | undefined = node ? nodeAt(node, [seg]) : undefined;
    const child: LNode | undefined = step?.depth === 1 ? step.node : undefined;
    if (node?.kind === 'seq') {
      if (child?.kind === 'scalar') return key; // an item of a list of values: the list
      const id = child?.kind === 'map' ? child.entries.get('id')?.value : undefined;
      const named =
        key === 'rules' &&
        id?.kind === 'scalar' &&
        typeof id.value === 'string' &&
        id.value.trim() !== '' &&
        path[i + 1] !== 'id';
      key += named ? `[${String(id.value)}]` : `[${seg}]`;
    } else key = key ? `${key}.${seg}` : seg;
    node = child;
  }
  return key;
}

function toIssue(file: string, root: LNode, e: ErrorObject): PolicyIssue {
  const path = segmentsOf(e.instancePath);
  const at = nodeAt(root, path);
  const data: unknown = e.data;
  const show = (v: unknown) => JSON.stringify(v);
  switch (e.keyword) {
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return { file, line: at.node.line, key: keyOf(root, [...path, missing]), message: 'required' };
    }
    case 'additionalProperties':
    case 'propertyNames': {
      const name = String(
        (e.params as { additionalProperty?: string; propertyName?: string }).additionalProperty ??
          (e.params as { propertyName?: string }).propertyName,
      );
      const keyLine = at.node.kind === 'map' ? (at.node.entries.get(name)?.keyLine ?? at.node.line) : at.node.line;
      return { file, line: keyLine, key: keyOf(root, [...path, name]), message: unknownKeyMessage(e, path, at.node) };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const isCheck = path[path.length - 1] === 'check' && isConditionPath(path.slice(0, -1));
      return {
        file,
        line: at.node.line,
        key: keyOf(root, path),
        message: isCheck
          ? `unknown check ${show(data)} (known: ${allowed.join(', ')})`
          : `unknown value ${show(data)} (allowed: ${allowed.join(', ')})`,
      };
    }
    default:
      return { file, line: at.node.line, key: keyOf(root, path), message: valueMessage(e) };
  }
}

/** The path leads to a condition: when, unless, not, or an item of all/any. */
function isConditionPath(path: readonly string[]): boolean {
  const last = path[path.length - 1];
  const before = path[path.length - 2];
  return (
    last === 'when' ||
    last === 'unless' ||
    last === 'not' ||
    ((before === 'all' || before === 'any') && /^\d+$/.test(last ?? ''))
  );
}

function unknownKeyMessage(e: ErrorObject, path: readonly string[], node: LNode): string {
  if (isConditionPath(path)) {
    const check = node.kind === 'map' ? node.entries.get('check')?.value : undefined;
    if (check?.kind === 'scalar' && typeof check.value === 'string' && checkNames().includes(check.value)) {
      const params = Object.keys(checkParamSpec(check.value) ?? {});
      return `unknown key: not a parameter of check ${check.value} (${params.join(', ') || 'none'}) nor a condition`;
    }
    return `unknown condition (use ${CONDITION_KEYS.join(', ')})`;
  }
  const schema = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  const allowed = Object.keys(schema?.properties ?? {});
  return allowed.length ? `unknown key (allowed: ${allowed.join(', ')})` : 'unknown key';
}

/** "must be …" for a value of the wrong type or range, from the schema's own words where it has them. */
function valueMessage(e: ErrorObject): string {
  const schema = (e.parentSchema ?? {}) as { description?: string; minimum?: number; type?: string; anyOf?: unknown };
  switch (e.keyword) {
    case 'type':
    case 'minimum':
      if (schema.type === 'integer') return `must be an integer ≥ ${schema.minimum ?? 0}`;
      if (schema.type === 'boolean') return 'must be true or false';
      if (schema.type === 'string') return 'must be a non-empty string';
      if (schema.type === 'object') return 'must be a mapping';
      if (schema.type === 'array') return 'must be a list';
      return e.message ?? 'wrong type';
    case 'minLength':
      return 'must be a non-empty string';
    case 'minItems':
    case 'minProperties':
      return 'must not be empty';
    case 'const':
      return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'pattern': {
      const pattern = (e.params as { pattern: string }).pattern;
      if (pattern === ADDRESS_ENTRY) return `${JSON.stringify(e.data)} is neither an address nor an @domain`;
      if (pattern === RULE_ID.source)
        return `${JSON.stringify(e.data)}: use letters, digits, ".", "_" and "-" (max 64)`;
      return 'must be a non-empty string';
    }
    case 'anyOf':
      return schema.description ? `must be ${schema.description}` : (e.message ?? 'invalid value');
    default:
      return e.message ?? 'invalid value';
  }
}
