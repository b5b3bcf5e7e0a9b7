/**
 * Policy evaluation against a labelled sample (`postguard policy test DIR --labels FILE`).
 *
 * Labels map a file name to the expected verdict and a category. Categories are compared with the categories of
 * the rules that fired (a rule's `category`, default its id); a message where nothing fired has category
 * "clean". Per category: precision = TP / (TP + FP), recall = TP / (TP + FN).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { Action, Verdict } from '../core/types.js';
import type { PolicySet } from './types.js';

export const CLEAN = 'clean';
const ACTIONS: readonly Action[] = ['deliver', 'tag', 'quarantine', 'reject'];

export interface Label {
  file: string;
  verdict: Action;
  category: string;
}

function labelError(where: string, message: string): PostguardError {
  return new PostguardError(ErrorCodes.USAGE, `${where}: ${message}`);
}

function toAction(v: unknown, where: string): Action {
  const s = String(v ?? '')
    .trim()
    .toLowerCase();
  const a = s === 'hold' || s === 'held' ? 'quarantine' : s;
  if (!ACTIONS.includes(a as Action)) throw labelError(where, `verdict must be one of ${ACTIONS.join(', ')}`);
  return a as Action;
}

/**
 * Parses labels: CSV with columns file,verdict[,category] (header row optional), or YAML
 * `file.eml: quarantine` / `file.eml: { verdict: quarantine, category: foreign-data }`.
 */
export function parseLabels(text: string, fileName: string): Map<string, Label> {
  const out = new Map<string, Label>();
  if (/\.ya?ml$/i.test(fileName)) {
    const doc: unknown = parseYaml(text);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc))
      throw labelError(fileName, 'must be a mapping file → verdict');
    for (const [file, v] of Object.entries(doc as Record<string, unknown>)) {
      const where = `${fileName}: ${file}`;
      if (typeof v === 'string') {
        const verdict = toAction(v, where);
        out.set(file, { file, verdict, category: verdict === 'deliver' ? CLEAN : 'held' });
      } else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const verdict = toAction(o.verdict, where);
        const category = String(o.category ?? (verdict === 'deliver' ? CLEAN : 'held'));
        out.set(file, { file, verdict, category });
      } else throw labelError(where, 'expected a verdict or { verdict, category }');
    }
    return out;
  }
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, comment: '#', trim: true });
  } catch (err) {
    throw labelError(fileName, `CSV: ${(err as Error).message}`);
  }
  rows.forEach((cols, i) => {
    if (i === 0 && cols[0]?.toLowerCase() === 'file') return;
    const where = `${fileName}: row ${i + 1}`;
    if (cols.length < 2 || !cols[0]) throw labelError(where, 'expected file,verdict[,category]');
    const verdict = toAction(cols[1], where);
    out.set(cols[0], { file: cols[0], verdict, category: cols[2] || (verdict === 'deliver' ? CLEAN : 'held') });
  });
  return out;
}

/** Categories a verdict shows: categories of the rules that fired, or "clean". */
export function verdictCategories(verdict: Verdict, policy: PolicySet): Set<string> {
  const byId = new Map(policy.rules.map((r) => [r.id, r.category]));
  const cats = new Set<string>();
  for (const h of verdict.hits) if (h.action !== 'deliver') cats.add(byId.get(h.ruleId) ?? h.ruleId);
  if (cats.size === 0) cats.add(CLEAN);
  return cats;
}

export interface CategoryScore {
  category: string;
  tp: number;
  fp: number;
  fn: number;
  /** null when undefined (no predictions / no labelled files). */
  precision: number | null;
  recall: number | null;
}

export interface Difference {
  file: string;
  expected: Action;
  actual: Action;
  category: string;
  rules: string[];
}

export interface Evaluation {
  total: number;
  verdictMatches: number;
  scores: CategoryScore[];
  differences: Difference[];
  unlabelled: string[];
}

export interface EvaluatedFile {
  file: string;
  verdict: Verdict;
  categories: Set<string>;
}

/** A category named "held" (labels without a category) matches any non-clean prediction. */
export function evaluate(results: readonly EvaluatedFile[], labels: Map<string, Label>): Evaluation {
  const cats = new Set<string>();
  for (const l of labels.values()) cats.add(l.category);
  const scores = new Map<string, CategoryScore>();
  const score = (c: string): CategoryScore => {
    let s = scores.get(c);
    if (!s) {
      s = { category: c, tp: 0, fp: 0, fn: 0, precision: null, recall: null };
      scores.set(c, s);
    }
    return s;
  };
  for (const c of cats) score(c);
  const differences: Difference[] = [];
  const unlabelled: string[] = [];
  let verdictMatches = 0;
  let total = 0;
  for (const r of results) {
    const label = labels.get(r.file);
    if (!label) {
      unlabelled.push(r.file);
      continue;
    }
    total++;
    const predicted = new Set(r.categories);
    if (!predicted.has(CLEAN)) predicted.add('held');
    if (r.verdict.action === label.verdict) verdictMatches++;
    else {
      differences.push({
        file: r.file,
        expected: label.verdict,
        actual: r.verdict.action,
        category: label.category,
        rules: r.verdict.rules,
      });
    }
    for (const c of cats) {
      const s = score(c);
      const isLabel = label.category === c;
      const isPred = predicted.has(c);
      if (isLabel && isPred) s.tp++;
      else if (isLabel) s.fn++;
      else if (isPred) s.fp++;
    }
  }
  for (const s of scores.values()) {
    s.precision = s.tp + s.fp > 0 ? s.tp / (s.tp + s.fp) : null;
    s.recall = s.tp + s.fn > 0 ? s.tp / (s.tp + s.fn) : null;
  }
  return {
    total,
    verdictMatches,
    scores: [...scores.values()].sort((a, b) => a.category.localeCompare(b.category)),
    differences,
    unlabelled,
  };
}
