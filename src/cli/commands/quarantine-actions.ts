/**
 * What `postguard quarantine list|show|release|delete|recover` do, loaded when one of them runs (the commands and
 * their options are declared in quarantine.ts, which loads none of the quarantine code).
 */
import os from 'node:os';
import type { Command } from 'commander';
import type { AuditLog } from '../../audit/index.js';
import { maskAddress } from '../../core/address.js';
import type { Upstream } from '../../deliver/types.js';
import { deleteMessage, DUPLICATE_DELIVERY_RISK, recoverRelease, releaseMessage } from '../../quarantine/release.js';
import type { ListFilter, QuarantineRecord, QuarantineStatus, QuarantineStore } from '../../quarantine/types.js';

export interface QuarantineCommandDeps {
  openStore: (cmd: Command) => Promise<QuarantineStore>;
  openUpstream: (cmd: Command) => Promise<Upstream>;
  openAudit: (cmd: Command) => Promise<AuditLog>;
  /** Output sink (default: process.stdout). */
  out?: (text: string) => void;
}

type Out = (text: string) => void;

export interface ListOptions {
  json?: boolean;
  status?: string;
  rule?: string;
  sender?: string;
  since?: Date;
  until?: Date;
  limit?: number;
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
async function withStoreAndAudit(
  deps: QuarantineCommandDeps,
  cmd: Command,
  action: (store: QuarantineStore, audit: AuditLog) => Promise<void>,
): Promise<void> {
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

function line(r: QuarantineRecord): string {
  return [
    r.id,
    r.heldAt,
    r.status.padEnd(17),
    r.masked.mailFrom || '<>',
    r.masked.rcptTo.join(','),
    r.verdict.rules.join(','),
  ].join('  ');
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
    for (const e of h.evidence)
      out.push(`  - [${h.ruleId}] ${e.kind} ${e.masked} in ${e.source}${e.recipient ? ` → ${e.recipient}` : ''}`);
  }
  out.push('history:');
  for (const h of r.history) out.push(`  - ${h.at}  ${h.actor}  ${h.action}${h.reason ? `: ${h.reason}` : ''}`);
  return out.join('\n');
}

/** `quarantine list` (the --status value was checked by the caller). */
export async function listMessages(deps: QuarantineCommandDeps, out: Out, o: ListOptions, cmd: Command): Promise<void> {
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
        out(
          JSON.stringify({
            id: r.id,
            heldAt: r.heldAt,
            expiresAt: r.expiresAt,
            status: r.status,
            sender: r.masked.mailFrom,
            recipients: r.masked.rcptTo,
            rules: r.verdict.rules,
            reason: r.verdict.reason,
            size: r.size,
          }) + '\n',
        );
      }
    } else {
      for (const r of records) out(line(r) + '\n');
      if (!records.length) out('no messages\n');
    }
  } finally {
    await store.close();
  }
}

/** `quarantine show`. */
export async function showMessage(
  deps: QuarantineCommandDeps,
  out: Out,
  id: string,
  o: { json?: boolean; raw?: boolean },
  cmd: Command,
): Promise<void> {
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
}

/** `quarantine release`. */
export async function releaseHeld(
  deps: QuarantineCommandDeps,
  out: Out,
  id: string,
  o: { reason: string; to?: string[]; actor?: string },
  cmd: Command,
): Promise<void> {
  const store = await deps.openStore(cmd);
  const audit = await deps.openAudit(cmd);
  let upstream: Upstream | undefined;
  try {
    upstream = await deps.openUpstream(cmd);
    const { result } = await releaseMessage(
      store,
      upstream,
      id,
      { actor: cliActor(o.actor), reason: o.reason, ...(o.to ? { to: o.to } : {}) },
      audit,
    );
    const rejected = result.rejected.length
      ? `, ${result.rejected.length} recipient(s) refused: ${result.rejected.map((r) => maskAddress(r.address)).join(', ')}`
      : '';
    out(`released ${id}: upstream accepted ${result.accepted.length} recipient(s)${rejected}\n`);
  } finally {
    await upstream?.close();
    await audit.close();
    await store.close();
  }
}

const STATE_CHANGES = {
  delete: { act: deleteMessage, done: (id: string) => `deleted ${id}\n` },
  recover: {
    act: recoverRelease,
    done: (id: string) =>
      `recovered ${id}: held again, it can be released or deleted.\nWARNING: ${DUPLICATE_DELIVERY_RISK}.\n`,
  },
} as const;

/** `quarantine delete` and `quarantine recover`. */
export async function changeState(
  deps: QuarantineCommandDeps,
  out: Out,
  change: keyof typeof STATE_CHANGES,
  id: string,
  o: { reason: string; actor?: string },
  cmd: Command,
): Promise<void> {
  const { act, done } = STATE_CHANGES[change];
  await withStoreAndAudit(deps, cmd, async (store, audit) => {
    await act(store, id, { actor: cliActor(o.actor), reason: o.reason }, audit);
    out(done(id));
  });
}
