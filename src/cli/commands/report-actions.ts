/** What `postguard report customer|incident` do, loaded when one of them runs (declared in report.ts). */
import type { Command } from 'commander';
import { ErrorCodes, PostguardError } from '../../core/errors.js';
import { openJournal, type Journal } from '../../journal/index.js';
import { customerLines, customerReportText, incidentOf, incidentReportText } from '../../journal/report.js';
import { configFromCommand } from '../config-options.js';

type Out = (text: string) => void;

export function parseSince(s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const rel = /^(\d+)d$/.exec(s.trim());
  const d = rel ? new Date(Date.now() - Number(rel[1]) * 86_400_000) : new Date(s);
  if (Number.isNaN(d.getTime()))
    throw new PostguardError(
      ErrorCodes.USAGE,
      `--since: expected a date (2026-01-31, an ISO time) or days (30d), got "${s}"`,
    );
  return d;
}

async function withJournal(cmd: Command, fn: (j: Journal) => Promise<void>): Promise<void> {
  const c = configFromCommand(cmd);
  const journal = await openJournal({
    dataDir: c.dataDir,
    postgres: c.journal.postgres || undefined,
    retentionMs: c.journal.retention,
    mustExist: true,
  });
  try {
    await fn(journal);
  } finally {
    await journal.close();
  }
}

/** `report customer`. */
export async function customerReport(
  out: Out,
  id: string,
  o: { since?: string; json?: boolean },
  cmd: Command,
): Promise<void> {
  await withJournal(cmd, async (journal) => {
    const since = parseSince(o.since);
    const histories = await journal.byCustomer(id, since);
    if (o.json) for (const l of customerLines(histories)) out(JSON.stringify({ customer: id, ...l }) + '\n');
    else out(customerReportText(id, histories, since));
  });
}

/** `report incident`. */
export async function incidentReport(out: Out, ref: string, o: { json?: boolean }, cmd: Command): Promise<void> {
  await withJournal(cmd, async (journal) => {
    const h = await journal.byReference(ref.trim());
    if (!h) throw new PostguardError(ErrorCodes.USAGE, `the journal has no message ${ref}`);
    const r = incidentOf(h);
    out(o.json ? JSON.stringify(r) + '\n' : incidentReportText(r));
  });
}
