/**
 * Reads a YAML document into a small located tree (every node knows its line), so that validation can name file,
 * line and key in every error: policy files (decide/loader.ts, checked against policies/schema.json) and the
 * config file (config/load.ts).
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';

export type LNode =
  | { kind: 'map'; line: number; entries: Map<string, { keyLine: number; value: LNode }> }
  | { kind: 'seq'; line: number; items: LNode[] }
  | { kind: 'scalar'; line: number; value: string | number | boolean | null };

export type MapNode = Extract<LNode, { kind: 'map' }>;

/** One problem in a YAML file, located. */
export interface YamlIssue {
  file: string;
  line: number;
  /** Dotted key path, e.g. "rules[2].when.check". */
  key: string;
  message: string;
}

/** A problem in a policy file. */
export type PolicyIssue = YamlIssue;

export function formatIssue(i: YamlIssue): string {
  return `${i.file}:${i.line}: ${i.key || '(document)'}: ${i.message}`;
}

/** Parses YAML text; syntax errors are pushed to `issues` and yield null. */
export function readYamlTree(file: string, text: string, issues: YamlIssue[]): LNode | null {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
      issues.push({ file, line, key: '', message: `YAML syntax error: ${e.message.split('\n')[0]}` });
    }
    return null;
  }
  const lineOf = (n: YamlNode | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 1);

  const convert = (n: unknown, path: string): LNode => {
    if (isMap(n)) {
      const entries = new Map<string, { keyLine: number; value: LNode }>();
      for (const pair of n.items) {
        const keyNode = pair.key as YamlNode | null;
        const k = isScalar(keyNode) ? String(keyNode.value) : '';
        const keyLine = lineOf(keyNode);
        if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
          issues.push({ file, line: keyLine, key: path, message: 'keys must be plain strings' });
          continue;
        }
        const child = path ? `${path}.${k}` : k;
        const valueNode = pair.value as YamlNode | null;
        entries.set(k, {
          keyLine,
          value: valueNode ? convert(valueNode, child) : { kind: 'scalar', line: keyLine, value: null },
        });
      }
      return { kind: 'map', line: lineOf(n), entries };
    }
    if (isSeq(n)) {
      return { kind: 'seq', line: lineOf(n), items: n.items.map((it, i) => convert(it, `${path}[${i}]`)) };
    }
    if (isScalar(n)) {
      const v = n.value;
      const value =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === null ? null : String(v);
      return { kind: 'scalar', line: lineOf(n), value };
    }
    issues.push({ file, line: lineOf(n as YamlNode), key: path, message: 'aliases and tags are not supported' });
    return { kind: 'scalar', line: lineOf(n as YamlNode), value: null };
  };

  if (doc.contents === null) return { kind: 'map', line: 1, entries: new Map() };
  return convert(doc.contents, '');
}

/** The tree as plain data (what a JSON Schema validator reads). */
export function plainValue(n: LNode): unknown {
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items.map(plainValue);
  const out: Record<string, unknown> = {};
  for (const [k, e] of n.entries) out[k] = plainValue(e.value);
  return out;
}

/**
 * The node at `path` (map keys and list indexes, e.g. a JSON pointer's segments), and the line of the key that
 * leads to it; the deepest node that exists when the path goes further than the tree.
 */
export function nodeAt(root: LNode, path: readonly string[]): { node: LNode; keyLine: number; depth: number } {
  let node = root;
  let keyLine = root.line;
  let depth = 0;
  for (const seg of path) {
    if (node.kind === 'map') {
      const e = node.entries.get(seg);
      if (!e) break;
      node = e.value;
      keyLine = e.keyLine;
    } else if (node.kind === 'seq') {
      const item = node.items[Number(seg)];
      if (!item) break;
      node = item;
      keyLine = item.line;
    } else break;
    depth++;
  }
  return { node, keyLine, depth };
}
