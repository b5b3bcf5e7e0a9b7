/**
 * Reads typed values out of a located policy YAML tree: each reader returns the value, or records a PolicyIssue
 * (file, line, key, message) and returns undefined. The policy schema has already faulted wrong shapes by then
 * (schema-check.ts); these readers keep the compiler total on whatever it is given.
 */
import { domainToASCII } from 'node:url';
import type { Strength } from '../core/types.js';
import type { LNode, MapNode, PolicyIssue } from '../core/yaml-tree.js';
import { normalizeDomainEntry } from './context.js';

export class PolicyReader {
  constructor(
    protected readonly file: string,
    private readonly issues: PolicyIssue[],
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
    if (n.kind === 'scalar' && typeof n.value === 'number' && Number.isInteger(n.value) && n.value >= min)
      return n.value;
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
      this.err(
        n.line,
        key,
        `unknown value ${bad.map((b) => JSON.stringify(b)).join(', ')} (allowed: ${allowed.join(', ')})`,
      );
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
      if (!allowed.includes(k)) this.err(e.keyLine, joinKey(key, k), `unknown key (allowed: ${allowed.join(', ')})`);
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
      if (s.startsWith('@') ? /^@[a-z0-9.-]+\.[a-z0-9-]+$/.test(s) : /^[^@\s]+@[a-z0-9.-]+\.[a-z0-9-]+$/.test(s))
        out.push(s);
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
}

/** "rules[r1].when" + "check" → "rules[r1].when.check". */
export function joinKey(path: string, k: string): string {
  return path ? `${path}.${k}` : k;
}
