/**
 * `postguard report customer ID [--since DATE] [--json]` and `postguard report incident REF [--json]`:
 * evidence from the verdict journal (files in the data folder or journal.postgres). `--json` prints one JSON
 * object a line. No plaintext customer data: customer ids, masked recipients, rule ids and references only.
 */
import type { Command } from 'commander';
import { ErrorCodes, PostguardError } from '../../core/errors.js';
import { openJournal, type Journal } from '../../journal/index.js';
import { customerLines, customerReportText, incidentOf, incidentReportText } from '../../journal/report.js';
import { addStoreOptions, configFromCommand } from '../config-options.js';
import { runCommand } from './quarantine.js';

export function parseSince(s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const rel = /^(\d+)d$/.exec(s.trim());
  const d = rel ? new Date(Date.now() - Number(rel[1]) * 86_400_000) : new Date(s);
  if (Number.isNaN(d.getTime())) throw new PostguardError(ErrorCodes.USAGE, `--since: expected a date (2026-01-31, an ISO time) or days (30d), got "${s}"`);
  return d;
}

async function withJournal(cmd: Command, fn: (j: Journal) => Promise<void>): Promise<void> {
  const c = configFromCommand(cmd);
  const journal = await openJournal({ dataDir: c.dataDir, postgres: c.journal.postgres || undefined, retentionMs: c.journal.retention, mustExist: true });
  try {
    await fn(journal);
  } finally {
    await journal.close();
  }
}

export function registerReportCommand(program: Command, out: (text: string) => void = (t) => void process.stdout.write(t)): Command {
  const report = program.command('report').description('Evidence from the verdict journal: per customer, per message (incident)');
  addStoreOptions(
    report
      .command('customer')
      .description("Every message that carried a customer's data, where it went (masked) and what happened")
      .argument('<id>', 'customer id as in the directory')
      .option('--since <date>', 'only messages from this date (YYYY-MM-DD, ISO time, or 30d)')
      .option('--json', 'one JSON object a line')
      .action(async (id: string, o: { since?: string; json?: boolean }, cmd: Command) =>
        runCommand(() =>
          withJournal(cmd, async (journal) => {
            const since = parseSince(o.since);
            const histories = await journal.byCustomer(id, since);
            if (o.json) for (const l of customerLines(histories)) out(JSON.stringify({ customer: id, ...l }) + '\n');
            else out(customerReportText(id, histories, since));
          }),
        ),
      ),
  );
  addStoreOptions(
    report
      .command('incident')
      .description('Breach-evidence summary of one message (GDPR Art. 33(3)): data, data subjects, recipients, outcome, timeline')
      .argument('<ref>', 'the message reference (from the reply, notice or console)')
      .option('--json', 'one JSON object')
      .action(async (ref: string, o: { json?: boolean }, cmd: Command) =>
        runCommand(() =>
          withJournal(cmd, async (journal) => {
            const h = await journal.byReference(ref.trim());
            if (!h) throw new PostguardError(ErrorCodes.USAGE, `the journal has no message ${ref}`);
            const r = incidentOf(h);
            out(o.json ? JSON.stringify(r) + '\n' : incidentReportText(r));
          }),
        ),
      ),
  );
  return report;
}
