/**
 * `postguard policy check [DIR]` — validate the policy folder and list its rules (exit 2 on error, one
 *   "file:line: key: message" line per problem).
 * `postguard policy test DIR [--labels FILE]` — run every .eml in DIR through scan + decide and print a table;
 *   with labels (CSV file,verdict,category or YAML file → verdict | {verdict, category}) print per-category
 *   precision/recall and the differences (exit 1 when a verdict differs).
 * What they do is in policy-actions.ts, loaded when one of them runs.
 */
import type { Command } from 'commander';
import type { PolicyCommandDeps } from './policy-actions.js';

export type { PolicyCommandDeps } from './policy-actions.js';

const actions = () => import('./policy-actions.js');

export function registerPolicyCommand(program: Command, deps: PolicyCommandDeps): void {
  const policy = program.command('policy').description('Validate and try out policy files');
  const conf = (c: Command): Command => (deps.configure ? deps.configure(c) : c);

  conf(
    policy
      .command('check [dir]')
      .description('Validate the policy folder and list its rules (exit 2 on error)')
      .option('--json', 'print the rules as JSON'),
  ).action(async (dir: string | undefined, opts: { json?: boolean }, cmd: Command) =>
    (await actions()).checkPolicies(deps, dir, opts, cmd),
  );

  conf(
    policy
      .command('test <dir>')
      .description('Run every .eml in DIR through scan and the policies; print verdicts (and scores with --labels)')
      .option(
        '--labels <file>',
        'expected verdicts: CSV file,verdict,category or YAML file → verdict | {verdict, category}',
      )
      .option('--json', 'print JSON instead of tables'),
  ).action(async (dir: string, opts: { labels?: string; json?: boolean }, cmd: Command) =>
    (await actions()).testPolicies(deps, dir, opts, cmd),
  );
}
