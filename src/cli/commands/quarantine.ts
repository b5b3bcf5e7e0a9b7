/**
 * `postguard quarantine list|show|release|delete|recover`. Safe while relays run: every change is an atomic state
 * transition in the shared store, so a release here and one in the console cannot both deliver.
 */
import os from 'node:os';
import type { Command } from 'commander';
import type { AuditLog } from '../../audit/index.js';
import { maskAddress } from '../../core/address.js';
import { ErrorCodes, isPostguardError, PostguardError } from '../../core/errors.js';
import type { Upstream } from '../../deliver/types.js';
import { deleteMessage, DUPLICATE_DELIVERY_RISK, recoverRelease, releaseMessage } from '../../quarantine/release.js';
import { intArg, runningCommand, sinceArg, usageLine } from '../usage.js';
import { QUARANTINE_STATUSES, type ListFilter, type QuarantineRecord, type QuarantineStatus, type QuarantineStore } from '../../quarantine/types.js';

export interface QuarantineCommandDeps {
  openStore: (cmd: Command) => Promise<QuarantineStore>;
  openUpstream: (cmd: Command) => Promise<Upstream>;
  openAudit: (cmd: Command) => Promise<AuditLog>;
  /** Output sink (default: process.stdout). */
  out?: (text: string) => void;
}

function cliActor(explicit?: string): string {
  if (explicit) return `cli:${explicit}`;
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** Opens the store and the audit log for one action and closes both afterwards, also when it fails. */
async function withStoreAndAudit(deps: QuarantineCommandDeps, cmd: Command, action: (store: QuarantineStore, audit: AuditLog) => Promise<void>): Promise<void> {
  const store = await deps.openStore(cmd);
  try {
    const audit = await deps.openAudit(cmd);
    try {
      await action(store, audit);
    } finally {
      await audit.close();
    }
  } finally {
    await store.close();
  }
}

/** Runs an action, closing what it opened; errors become a message on stderr and exit code 1 (2 for usage). */
export async function runCommand(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const usage = isPostguardError(err, ErrorCodes.USAGE);
    console.error(usage ? usageLine(message, runningCommand() ?? 'postguard') : `postguard: ${message}`);
    process.exitCode = usage ? 2 : 1;
  }
}

function line(r: QuarantineRecord): string {
  return [r.id, r.heldAt, r.status.padEnd(17), r.masked.mailFrom || '<>', r.masked.rcptTo.join(','), r.verdict.rules.join(',')].join('  ');
}

function detail(r: QuarantineRecord): string {
  const out = [
    `id:          ${r.id}`,
    `status:      ${r.status}`,
    `held:        ${r.heldAt}`,
    `expires:     ${r.expiresAt}`,
    `sender:      ${r.envelope.mailFrom || r.masked.mailFrom || '<>'}`,
    `recipients:  ${(r.envelope.rcptTo.length ? r.envelope.rcptTo : r.masked.rcptTo).join(', ')}`,
    `subject:     ${JSON.stringify(r.subject ?? '')}`,
    `client:      ${r.client.remoteAddress}${r.client.user ? ` (${r.client.user})` : ''}`,
    `size:        ${r.size} bytes`,
    `verdict:     ${r.verdict.action} by ${r.verdict.rules.join(', ')}: ${r.verdict.reason}`,
    'findings:',
  ];
  for (const h of r.verdict.hits) {
    for (const e of h.evidence) out.push(`  - [${h.ruleId}] ${e.kind} ${e.masked} in ${e.source}${e.recipient ? ` → ${e.recipient}` : ''}`);
  }
  out.push('history:');
  for (const h of r.history) out.push(`  - ${h.at}  ${h.actor}  ${h.action}${h.reason ? `: ${h.reason}` : ''}`);
  return out.join('\n');
}

export function registerQuarantineCommand(program: Command, deps: QuarantineCommandDeps): Command {
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const q = program.command('quarantine').description('List, show, release and delete quarantined messages');

  q.command('list')
    .description('List quarantined messages, newest first (addresses masked)')
    .option('--json', 'JSON Lines output')
    .option('--status <status>', `one of ${QUARANTINE_STATUSES.join(', ')}`)
    .option('--rule <id>', 'only messages held by this rule')
    .option('--sender <text>', 'envelope sender contains')
    .option('--since <when>', 'held at or after: ISO date, or a duration ago (2h, 30d)', sinceArg())
    .option('--until <when>', 'held at or before: ISO date, or a duration ago (2h, 30d)', sinceArg())
    .option('--limit <n>', 'at most N messages (a whole number ≥ 1)', intArg(1))
    .action(async (o: { json?: boolean; status?: string; rule?: string; sender?: string; since?: Date; until?: Date; limit?: number }, cmd: Command) =>
      runCommand(async () => {
        if (o.status && !QUARANTINE_STATUSES.includes(o.status as QuarantineStatus)) {
          throw new PostguardError(ErrorCodes.USAGE, `--status must be one of ${QUARANTINE_STATUSES.join(', ')}`);
        }
        const filter: ListFilter = {};
        if (o.status) filter.status = o.status as QuarantineStatus;
        if (o.rule) filter.rule = o.rule;
        if (o.sender) filter.sender = o.sender;
        if (o.since) filter.since = o.since;
        if (o.until) filter.until = o.until;
        if (o.limit !== undefined) filter.limit = o.limit;
        const store = await deps.openStore(cmd);
        try {
          const records = await store.list(filter);
          if (o.json) {
            for (const r of records) {
              out(JSON.stringify({ id: r.id, heldAt: r.heldAt, expiresAt: r.expiresAt, status: r.status, sender: r.masked.mailFrom, recipients: r.masked.rcptTo, rules: r.verdict.rules, reason: r.verdict.reason, size: r.size }) + '\n');
            }
          } else {
            for (const r of records) out(line(r) + '\n');
            if (!records.length) out('no messages\n');
          }
        } finally {
          await store.close();
        }
      }),
    );

  q.command('show')
    .description('Show one message: envelope, subject, findings (masked) and history')
    .argument('<id>')
    .option('--json', 'JSON output')
    .option('--raw', 'print the raw message (RFC 5322) instead')
    .action(async (id: string, o: { json?: boolean; raw?: boolean }, cmd: Command) =>
      runCommand(async () => {
        const store = await deps.openStore(cmd);
        try {
          if (o.raw) {
            out((await store.getRaw(id)).toString('utf8'));
            return;
          }
          const r = await store.get(id);
          out((o.json ? JSON.stringify(r, null, 2) : detail(r)) + '\n');
        } finally {
          await store.close();
        }
      }),
    );

  q.command('release')
    .description('Release a held message to its recipients (or corrected ones): an audited admin override')
    .argument('<id>')
    .requiredOption('--reason <text>', 'why it may go out (recorded)')
    .option('--to <addr...>', 'corrected recipients instead of the original ones')
    .option('--actor <name>', 'who you are (default: the OS user)')
    .action(async (id: string, o: { reason: string; to?: string[]; actor?: string }, cmd: Command) =>
      runCommand(async () => {
        const store = await deps.openStore(cmd);
        const audit = await deps.openAudit(cmd);
        let upstream: Upstream | undefined;
        try {
          upstream = await deps.openUpstream(cmd);
          const { result } = await releaseMessage(store, upstream, id, { actor: cliActor(o.actor), reason: o.reason, ...(o.to ? { to: o.to } : {}) }, audit);
          const rejected = result.rejected.length ? `, ${result.rejected.length} recipient(s) refused: ${result.rejected.map((r) => maskAddress(r.address)).join(', ')}` : '';
          out(`released ${id}: upstream accepted ${result.accepted.length} recipient(s)${rejected}\n`);
        } finally {
          await upstream?.close();
          await audit.close();
          await store.close();
        }
      }),
    );

  const stateAction = (name: string, description: string, act: typeof deleteMessage, done: (id: string) => string) =>
    q
      .command(name)
      .description(description)
      .argument('<id>')
      .requiredOption('--reason <text>', 'why (recorded)')
      .option('--actor <name>', 'who you are (default: the OS user)')
      .action(async (id: string, o: { reason: string; actor?: string }, cmd: Command) =>
        runCommand(() =>
          withStoreAndAudit(deps, cmd, async (store, audit) => {
            await act(store, id, { actor: cliActor(o.actor), reason: o.reason }, audit);
            out(done(id));
          }),
        ),
      );
  stateAction('delete', 'Delete a held message (its body is erased)', deleteMessage, (id) => `deleted ${id}\n`);
  stateAction(
    'recover',
    'Put a release interrupted by a crash (stuck in releasing past quarantine.releasingTimeout) back to held',
    recoverRelease,
    (id) => `recovered ${id}: held again, it can be released or deleted.\nWARNING: ${DUPLICATE_DELIVERY_RISK}.\n`,
  );
  return q;
}
