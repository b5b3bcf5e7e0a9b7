/** What `postguard policy check|test` do, loaded when one of them runs (declared in policy.ts). */
import type { Dirent } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, isPostguardError, PostguardError } from '../../core/errors.js';
import type { Detection, Envelope, ParsedMessage, Verdict } from '../../core/types.js';
import { decide } from '../../decide/decide.js';
import { evaluate, parseLabels, verdictCategories, type EvaluatedFile } from '../../decide/evaluate.js';
import { loadPolicies } from '../../decide/loader.js';
import type { DomainSource, PolicySet } from '../../decide/types.js';
import { formatIssue, type PolicyIssue } from '../../core/yaml-tree.js';

export interface PolicyCommandDeps {
  scanFile: (
    file: string,
  ) => Promise<{ parsed: ParsedMessage; detection: Detection; envelope: Envelope; domains: DomainSource }>;
  /** The policy folder from config/flags for this command (`--policies`, postguard.yaml, default ./policies). */
  policiesDir: (cmd: Command) => string;
  /** Optional: adds the shared config options (--config, --policies, …) to a sub-command. */
  configure?: (cmd: Command) => Command;
}

function issuesOf(err: PostguardError): PolicyIssue[] {
  const list = err.details?.issues;
  return Array.isArray(list) && list.length > 0 ? (list as PolicyIssue[]) : [];
}

/** Prints a policy load error (all issues) to stderr and sets exit code 2. */
function reportPolicyError(err: unknown): void {
  if (isPostguardError(err)) {
    const issues = issuesOf(err);
    if (issues.length > 0) for (const i of issues) console.error(formatIssue(i));
    else console.error(`postguard: ${err.message}`);
  } else console.error(`postguard: ${(err as Error).message}`);
  process.exitCode = 2;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.min(60, Math.max(...rows.map((r) => (r[c] ?? '').length))));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function pct(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(1)}%`;
}

function describeRules(policy: PolicySet): string {
  const rows = [['ORDER', 'RULE', 'ACTION', 'MODE', 'ENABLED', 'SOURCE', 'DESCRIPTION']];
  for (const r of policy.rules) {
    rows.push([
      String(r.order),
      r.id,
      r.action === 'reject' && r.reply ? `reject ${r.reply.code} ${r.reply.enhanced}` : r.action,
      r.mode,
      r.enabled ? 'yes' : 'no',
      r.origin,
      r.description,
    ]);
  }
  return table(rows);
}

/** The entries of the folder given to `policy test`; a missing or unreadable one is a usage error, not a crash. */
async function readMessageFolder(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new PostguardError(ErrorCodes.USAGE, `cannot read folder ${dir}: ${describeFsError(err)}`, { cause: err });
  }
}

async function readUsageFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new PostguardError(ErrorCodes.USAGE, `cannot read ${what} ${file}: ${describeFsError(err)}`, { cause: err });
  }
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'ENOTDIR') return 'not a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (err as Error).message;
}

/** `policy check [DIR]`. */
export async function checkPolicies(
  deps: PolicyCommandDeps,
  dir: string | undefined,
  opts: { json?: boolean },
  cmd: Command,
): Promise<void> {
  const folder = dir ?? deps.policiesDir(cmd);
  let set: PolicySet;
  try {
    set = await loadPolicies(folder);
  } catch (err) {
    reportPolicyError(err);
    return;
  }
  if (opts.json) {
    const rules = set.rules.map((r) => ({
      order: r.order,
      id: r.id,
      action: r.action,
      ...(r.reply ? { reply: r.reply } : {}),
      mode: r.mode,
      enabled: r.enabled,
      origin: r.origin,
      description: r.description,
    }));
    console.log(
      JSON.stringify(
        {
          folder,
          files: set.files,
          partners: set.partners,
          groups: [...set.groups.keys()],
          bulkThreshold: set.settings.bulkThreshold,
          rules,
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(`${folder}: ${set.rules.length} rules from ${set.files.join(', ')} — OK`);
  if (set.partners.length > 0) console.log(`partners: ${set.partners.join(', ')}`);
  if (set.groups.size > 0) console.log(`groups: ${[...set.groups.keys()].join(', ')}`);
  console.log(`bulk threshold: ${set.settings.bulkThreshold}`);
  console.log(describeRules(set));
}

/** `policy test DIR`. */
export async function testPolicies(
  deps: PolicyCommandDeps,
  dir: string,
  opts: { labels?: string; json?: boolean },
  cmd: Command,
): Promise<void> {
  let set: PolicySet;
  try {
    set = await loadPolicies(deps.policiesDir(cmd));
  } catch (err) {
    reportPolicyError(err);
    return;
  }
  const files = (await readMessageFolder(dir))
    .filter((d) => d.isFile() && /\.eml$/i.test(d.name))
    .map((d) => d.name)
    .sort();
  const results: EvaluatedFile[] = [];
  const errors: { file: string; error: string }[] = [];
  for (const f of files) {
    try {
      const scanned = await deps.scanFile(join(dir, f));
      const verdict: Verdict = decide(scanned, set);
      results.push({ file: f, verdict, categories: verdictCategories(verdict, set) });
    } catch (err) {
      errors.push({ file: f, error: isPostguardError(err) ? `${err.code}: ${err.message}` : (err as Error).message });
    }
  }
  const labels = opts.labels
    ? parseLabels(await readUsageFile(opts.labels, 'labels file'), basename(opts.labels))
    : undefined;
  const evaluation = labels ? evaluate(results, labels) : undefined;

  if (opts.json) {
    console.log(
      JSON.stringify(
        {
          results: results.map((r) => ({
            file: r.file,
            verdict: r.verdict.action,
            rules: r.verdict.rules,
            reason: r.verdict.reason,
            categories: [...r.categories],
          })),
          errors,
          evaluation,
        },
        null,
        2,
      ),
    );
  } else {
    const rows = [['FILE', 'VERDICT', 'RULES', 'REASON']];
    for (const r of results) rows.push([r.file, r.verdict.action, r.verdict.rules.join(',') || '-', r.verdict.reason]);
    for (const e of errors) rows.push([e.file, 'error', '-', e.error]);
    console.log(table(rows));
    if (evaluation) {
      console.log('');
      console.log(
        `verdicts matching labels: ${evaluation.verdictMatches}/${evaluation.total}` +
          (evaluation.unlabelled.length ? ` (${evaluation.unlabelled.length} unlabelled)` : ''),
      );
      const srows = [['CATEGORY', 'TP', 'FP', 'FN', 'PRECISION', 'RECALL']];
      for (const s of evaluation.scores) {
        srows.push([s.category, String(s.tp), String(s.fp), String(s.fn), pct(s.precision), pct(s.recall)]);
      }
      console.log(table(srows));
      if (evaluation.differences.length > 0) {
        console.log('');
        console.log('differences:');
        const drows = [['FILE', 'EXPECTED', 'ACTUAL', 'CATEGORY', 'RULES']];
        for (const d of evaluation.differences) {
          drows.push([d.file, d.expected, d.actual, d.category, d.rules.join(',') || '-']);
        }
        console.log(table(drows));
      }
    }
  }
  if (errors.length > 0) process.exitCode = 2;
  else if (evaluation && evaluation.differences.length > 0) process.exitCode = 1;
}
