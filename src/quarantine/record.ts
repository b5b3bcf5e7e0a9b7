/**
 * The stored form of a quarantine record and the pure operations on it, shared by both backends.
 */
import { maskAddress } from '../core/address.js';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { Envelope, InboundMessage, Verdict } from '../core/types.js';
import { seal, unseal } from './crypto.js';
import {
  FINAL_STATUSES,
  QUARANTINE_STATUSES,
  MAX_SPANS,
  type FindingSpan,
  type HistoryEntry,
  type HoldExtra,
  type ListFilter,
  type QuarantineRecord,
  type QuarantineStatus,
  type TransitionRequest,
} from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What is written to disk / Redis. `sealed` holds the encrypted envelope and subject. */
export interface StoredRecord {
  v: 1;
  id: string;
  heldAt: string;
  expiresAt: string;
  masked: QuarantineRecord['masked'];
  client: QuarantineRecord['client'];
  verdict: QuarantineRecord['verdict'];
  size: number;
  status: QuarantineStatus;
  history: HistoryEntry[];
  version: number;
  /** base64 of seal({ envelope, subject }); absent once the record is deleted or expired. */
  sealed?: string;
}

interface SealedPart {
  envelope: Envelope;
  subject?: string;
  spans?: FindingSpan[];
}

/** Only the span fields, at most MAX_SPANS of them. */
function keepSpans(spans: readonly FindingSpan[]): FindingSpan[] {
  return spans.slice(0, MAX_SPANS).map((s) => ({
    segment: s.segment,
    source: s.source,
    offset: s.offset,
    length: s.length,
    kind: s.kind,
    masked: s.masked,
  }));
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Ids become file names and Redis keys: only a safe alphabet is accepted. */
export function checkId(id: string): string {
  if (typeof id !== 'string' || !ID_RE.test(id)) {
    throw new PostguardError(ErrorCodes.QUARANTINE_NOT_FOUND, 'no such quarantined message');
  }
  return id;
}

export function notFound(id: string): PostguardError {
  return new PostguardError(ErrorCodes.QUARANTINE_NOT_FOUND, `no quarantined message ${id}`, { details: { id } });
}

/** AAD strings bind each ciphertext to its record and role. */
export const aadMeta = (id: string): string => `pg-q-meta:${id}`;
export const aadRaw = (id: string): string => `pg-q-raw:${id}`;

export function newStoredRecord(
  key: Buffer,
  message: InboundMessage,
  verdict: Verdict,
  extra: HoldExtra | undefined,
  retentionDays: number,
  now: Date,
): StoredRecord {
  const id = checkId(message.id);
  const sealedPart: SealedPart = { envelope: message.envelope };
  if (extra?.subject !== undefined) sealedPart.subject = extra.subject;
  if (extra?.spans?.length) sealedPart.spans = keepSpans(extra.spans);
  const client: StoredRecord['client'] = { remoteAddress: message.client.remoteAddress };
  if (message.client.user) client.user = message.client.user;
  return {
    v: 1,
    id,
    heldAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + retentionDays * DAY_MS).toISOString(),
    masked: {
      mailFrom: message.envelope.mailFrom ? maskAddress(message.envelope.mailFrom) : '',
      rcptTo: message.envelope.rcptTo.map(maskAddress),
    },
    client,
    verdict: { action: verdict.action, rules: [...verdict.rules], reason: verdict.reason, hits: verdict.hits },
    size: message.raw.length,
    status: 'held',
    history: [
      {
        at: now.toISOString(),
        actor: 'relay',
        action: 'held',
        reason: verdict.reason,
        details: { rules: verdict.rules },
      },
    ],
    version: 1,
    sealed: seal(key, aadMeta(id), Buffer.from(JSON.stringify(sealedPart), 'utf8')).toString('base64'),
  };
}

export function openRecord(key: Buffer, stored: StoredRecord): QuarantineRecord {
  let part: SealedPart = { envelope: { mailFrom: '', rcptTo: [] } };
  if (stored.sealed) {
    part = JSON.parse(
      unseal(key, aadMeta(stored.id), Buffer.from(stored.sealed, 'base64')).toString('utf8'),
    ) as SealedPart;
  }
  const rec: QuarantineRecord = {
    id: stored.id,
    heldAt: stored.heldAt,
    expiresAt: stored.expiresAt,
    envelope: part.envelope,
    masked: stored.masked,
    client: stored.client,
    verdict: stored.verdict,
    size: stored.size,
    status: stored.status,
    history: stored.history,
    version: stored.version,
  };
  if (part.subject !== undefined) rec.subject = part.subject;
  if (part.spans) rec.spans = part.spans;
  return rec;
}

export function parseStored(json: string): StoredRecord {
  const s = JSON.parse(json) as StoredRecord;
  if (s.v !== 1 || typeof s.id !== 'string' || !QUARANTINE_STATUSES.includes(s.status)) {
    throw new PostguardError(ErrorCodes.QUARANTINE_STORE, 'quarantine record has an unknown format');
  }
  return s;
}

export function stateError(id: string, current: QuarantineStatus, to: QuarantineStatus): PostguardError {
  const msg =
    current === 'released' || current === 'releasing'
      ? `message ${id} is already ${current === 'released' ? 'released' : 'being released (if a crash interrupted that release, `postguard quarantine recover` puts it back to held)'}`
      : `message ${id} is ${current}; cannot move to ${to}`;
  return new PostguardError(ErrorCodes.QUARANTINE_STATE, msg, { details: { id, status: current, to } });
}

/** The next stored form after a transition (or a note when `req.to` is undefined). Pure; throws on a bad state. */
export function applyTransition(
  stored: StoredRecord,
  req: TransitionRequest | { entry: Omit<HistoryEntry, 'at'> },
  now: Date,
): StoredRecord {
  const next: StoredRecord = { ...stored, history: [...stored.history, { ...req.entry, at: now.toISOString() }] };
  next.version = stored.version + 1;
  if ('to' in req) {
    if (!req.from.includes(stored.status)) throw stateError(stored.id, stored.status, req.to);
    next.status = req.to;
    if (req.to === 'deleted' || req.to === 'expired') delete next.sealed;
  }
  return next;
}

/** When the record's current release started (ms), or undefined when it is not releasing. */
export function releaseStartedAt(stored: Pick<StoredRecord, 'status' | 'history'>): number | undefined {
  if (stored.status !== 'releasing') return undefined;
  const started = [...stored.history].reverse().find((h) => h.action === 'release-started') ?? stored.history.at(-1);
  return started ? Date.parse(started.at) : 0;
}

/** True when the record has been releasing for at least `timeoutMs` (a release interrupted by a crash). */
export function isStuckReleasing(
  stored: Pick<StoredRecord, 'status' | 'history'>,
  timeoutMs: number,
  now: Date,
): boolean {
  const started = releaseStartedAt(stored);
  return started !== undefined && now.getTime() - started >= timeoutMs;
}

/** True when the transition leaves no body to keep. */
export function dropsBody(status: QuarantineStatus): boolean {
  return status === 'deleted' || status === 'expired';
}

export function isFinal(status: QuarantineStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export function matchesFilter(rec: QuarantineRecord, f: ListFilter): boolean {
  if (f.status && rec.status !== f.status) return false;
  if (f.rule && !rec.verdict.rules.includes(f.rule) && !rec.verdict.hits.some((h) => h.ruleId === f.rule)) return false;
  const held = Date.parse(rec.heldAt);
  if (f.since && held < f.since.getTime()) return false;
  if (f.until && held > f.until.getTime()) return false;
  if (f.sender) {
    const needle = f.sender.trim().toLowerCase();
    if (!rec.envelope.mailFrom.toLowerCase().includes(needle) && !rec.masked.mailFrom.toLowerCase().includes(needle))
      return false;
  }
  return true;
}

export function emptyCounts(): Record<QuarantineStatus, number> {
  return Object.fromEntries(QUARANTINE_STATUSES.map((s) => [s, 0])) as Record<QuarantineStatus, number>;
}

export function retentionMs(days: number): number {
  return days * DAY_MS;
}
