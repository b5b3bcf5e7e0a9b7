/**
 * `postguard report customer ID [--since DATE] [--json]` and `postguard report incident REF [--json]`:
 * evidence from the verdict journal (files in the data folder or journal.postgres). `--json` prints one JSON
 * object a line. No plaintext customer data: customer ids, masked recipients, rule ids and references only.
 * What they do is in report-actions.ts, loaded when one of them runs.
 */
import type { Command } from 'commander';
import { addStoreOptions } from '../config-options.js';
import { runCommand } from '../usage.js';

const actions = () => import('./report-actions.js');

export function registerReportCommand(
  program: Command,
  out: (text: string) => void = (t) => void process.stdout.write(t),
): Command {
  const report = program
    .command('report')
    .description('Evidence from the verdict journal: per customer, per message (incident)');
  addStoreOptions(
    report
      .command('customer')
      .description("Every message that carried a customer's data, where it went (masked) and what happened")
      .argument('<id>', 'customer id as in the directory')
      .option('--since <date>', 'only messages from this date (YYYY-MM-DD, ISO time, or 30d)')
      .option('--json', 'one JSON object a line')
      .action(async (id: string, o: { since?: string; json?: boolean }, cmd: Command) =>
        runCommand(async () => (await actions()).customerReport(out, id, o, cmd)),
      ),
  );
  addStoreOptions(
    report
      .command('incident')
      .description(
        'Breach-evidence summary of one message (GDPR Art. 33(3)): data, data subjects, recipients, outcome, timeline',
      )
      .argument('<ref>', 'the message reference (from the reply, notice or console)')
      .option('--json', 'one JSON object')
      .action(async (ref: string, o: { json?: boolean }, cmd: Command) =>
        runCommand(async () => (await actions()).incidentReport(out, ref, o, cmd)),
      ),
  );
  return report;
}
