/**
 * Admin actions on a held message: release (exactly once), delete, and the sender's release request.
 *
 * Release is a two-step atomic state machine: held|release-requested → releasing (compare-and-set: exactly one
 * concurrent caller wins, the others get QUARANTINE_STATE "already being released"), then the upstream send,
 * then releasing → released. When the upstream refuses or is unreachable the record goes back to held, with the
 * attempt in its history, so it can be retried (possibly to corrected recipients).
 *
 * A crash between the two steps leaves the record in releasing: recoverRelease (CLI `quarantine recover`) and
 * recoverStuckReleases (at start) put it back to held once quarantine.releasingTimeout has passed.
 */
import type { Logger } from 'pino';
import { canonicalAddress, maskAddress } from '../core/address.js';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { Envelope } from '../core/types.js';
import type { DeliveryResult, Upstream } from '../deliver/types.js';
import type { QuarantineRecord, QuarantineStore } from './types.js';

/**
 * Where the actions below record who did what and why: the audit log (audit/) implements it. Declared here so
 * the quarantine depends on no layer above it.
 */
export interface AuditRecorder {
  append(entry: {
    actor: string;
    action: string;
    messageId?: string;
    reason?: string;
    details?: Record<string, unknown>;
  }): Promise<unknown>;
}

export interface ReleaseOptions {
  /** Who: 'admin:alice', 'cli:root', … */
  actor: string;
  /** Why (required, recorded in history and audit). */
  reason: string;
  /** Corrected recipients; default = the original envelope recipients. */
  to?: string[];
}

export interface ReleaseOutcome {
  record: QuarantineRecord;
  result: DeliveryResult;
}

const MAX_REASON = 2000;

export function requireReason(reason: string | undefined, what = 'reason'): string {
  const r = (reason ?? '').trim();
  if (!r) throw new PostguardError(ErrorCodes.USAGE, `a ${what} is required`);
  if (r.length > MAX_REASON)
    throw new PostguardError(ErrorCodes.USAGE, `the ${what} is longer than ${MAX_REASON} characters`);
  return r;
}

export function canonicalRecipients(to: string[]): string[] {
  const out: string[] = [];
  for (const raw of to
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean)) {
    const a = canonicalAddress(raw);
    if (!a) throw new PostguardError(ErrorCodes.USAGE, `not a valid recipient address: ${maskAddress(raw)}`);
    if (!out.includes(a)) out.push(a);
  }
  if (!out.length) throw new PostguardError(ErrorCodes.USAGE, 'no recipients given');
  return out;
}

export async function releaseMessage(
  store: QuarantineStore,
  upstream: Upstream,
  id: string,
  opts: ReleaseOptions,
  audit: AuditRecorder,
): Promise<ReleaseOutcome> {
  const reason = requireReason(opts.reason);
  const corrected = opts.to && opts.to.length ? canonicalRecipients(opts.to) : undefined;
  const maskedTo = corrected?.map(maskAddress);
  const started = await store.transition(id, {
    from: ['held', 'release-requested'],
    to: 'releasing',
    entry: {
      actor: opts.actor,
      action: 'release-started',
      reason,
      details: { override: true, ...(maskedTo ? { to: maskedTo } : {}) },
    },
  });
  const envelope: Envelope = { mailFrom: started.envelope.mailFrom, rcptTo: corrected ?? started.envelope.rcptTo };

  let result: DeliveryResult;
  try {
    const raw = await store.getRaw(id);
    result = await upstream.send(envelope, raw, { id });
  } catch (err) {
    result = {
      status: 'temporary',
      code: 451,
      accepted: [],
      rejected: [],
      upstreamResponse: err instanceof Error ? err.message : 'send failed',
    };
  }

  if (result.status === 'sent') {
    const details = {
      override: true,
      recipients: envelope.rcptTo.map(maskAddress),
      corrected: Boolean(corrected),
      accepted: result.accepted.length,
      rejected: result.rejected.map((r) => ({ address: maskAddress(r.address), code: r.code })),
      ...(result.upstreamId ? { upstreamId: result.upstreamId } : {}),
    };
    let record: QuarantineRecord;
    try {
      record = await store.transition(id, {
        from: ['releasing'],
        to: 'released',
        entry: { actor: opts.actor, action: 'released', reason, details },
      });
    } catch (err) {
      if (!(err instanceof PostguardError) || err.code !== ErrorCodes.QUARANTINE_STATE) throw err;
      // The release took longer than quarantine.releasingTimeout and was recovered to held meanwhile; the
      // upstream has the message all the same. Say so where the next admin looks, instead of losing it.
      const late = { ...details, afterRecovery: true };
      const now = await store.note(id, { actor: opts.actor, action: 'released-late', reason, details: late });
      await audit.append({ actor: opts.actor, action: 'release', messageId: id, reason, details: late });
      throw new PostguardError(
        ErrorCodes.QUARANTINE_STATE,
        `the upstream accepted the release of ${id} after it had been recovered (now ${now.status}): it was delivered; do not release it again`,
        { details: { id, status: now.status } },
      );
    }
    await audit.append({ actor: opts.actor, action: 'release', messageId: id, reason, details });
    return { record, result };
  }

  const details = { code: result.code, status: result.status, recipients: envelope.rcptTo.map(maskAddress) };
  const failed = { actor: opts.actor, action: 'release-failed', reason, details };
  await store.transition(id, { from: ['releasing'], to: 'held', entry: failed }).catch(async (err: unknown) => {
    // Recovered to held meanwhile (slower than quarantine.releasingTimeout): record the failed attempt all the same.
    if (!(err instanceof PostguardError) || err.code !== ErrorCodes.QUARANTINE_STATE) throw err;
    await store.note(id, failed);
  });
  await audit.append({ actor: opts.actor, action: 'release-failed', messageId: id, reason, details });
  throw new PostguardError(
    result.status === 'permanent' ? ErrorCodes.UPSTREAM_PERMANENT : ErrorCodes.UPSTREAM_TEMPORARY,
    `upstream did not accept the release of ${id} (${result.code}); the message stays held`,
    { details: { id, code: result.code } },
  );
}

export async function deleteMessage(
  store: QuarantineStore,
  id: string,
  opts: { actor: string; reason: string },
  audit: AuditRecorder,
): Promise<QuarantineRecord> {
  const reason = requireReason(opts.reason);
  const record = await store.transition(id, {
    from: ['held', 'release-requested'],
    to: 'deleted',
    entry: { actor: opts.actor, action: 'deleted', reason },
  });
  await audit.append({ actor: opts.actor, action: 'delete', messageId: id, reason });
  return record;
}

/** The sending agent asks for release through the signed link: recorded for an admin to approve. */
export async function requestRelease(
  store: QuarantineStore,
  id: string,
  opts: { justification: string; actor?: string },
  audit: AuditRecorder,
): Promise<QuarantineRecord> {
  const reason = requireReason(opts.justification, 'justification');
  const actor = opts.actor ?? 'sender';
  const record = await store.transition(id, {
    from: ['held'],
    to: 'release-requested',
    entry: { actor, action: 'release-requested', reason },
  });
  await audit.append({ actor, action: 'release-request', messageId: id, reason });
  return record;
}

/**
 * What an interrupted release leaves unknown: the message may or may not have reached the upstream. Stated by
 * `postguard quarantine recover`, logged at start, kept in the record's history.
 */
export const DUPLICATE_DELIVERY_RISK =
  'the release was interrupted after it started: the upstream may already have accepted the message, so releasing it again can deliver a second copy (check the upstream log for the message id first)';

/** Puts a release interrupted by a crash back to held (admin action, audited). */
export async function recoverRelease(
  store: QuarantineStore,
  id: string,
  opts: { actor: string; reason: string },
  audit: AuditRecorder,
): Promise<QuarantineRecord> {
  const reason = requireReason(opts.reason);
  const details = { duplicateRisk: true, releasingTimeoutMs: store.releasingTimeoutMs };
  const record = await store.recoverRelease(id, { actor: opts.actor, action: 'release-recovered', reason, details });
  await audit.append({ actor: opts.actor, action: 'release-recover', messageId: id, reason, details });
  return record;
}

/** At start: every record stuck in releasing past the timeout goes back to held (actor 'system'). Returns their ids. */
export async function recoverStuckReleases(store: QuarantineStore, logger?: Logger): Promise<string[]> {
  const recovered: string[] = [];
  for (const rec of await store.stuckReleases()) {
    try {
      await store.recoverRelease(rec.id, {
        actor: 'system',
        action: 'release-recovered',
        reason: 'release interrupted (found releasing at start, past quarantine.releasingTimeout)',
        details: { duplicateRisk: true, releasingTimeoutMs: store.releasingTimeoutMs },
      });
      recovered.push(rec.id);
      logger?.warn({ id: rec.id }, `interrupted release put back to held; ${DUPLICATE_DELIVERY_RISK}`);
    } catch (err) {
      // Another relay recovered it first, or it moved on meanwhile.
      if (!(err instanceof PostguardError) || err.code === ErrorCodes.QUARANTINE_STORE) throw err;
    }
  }
  return recovered;
}
