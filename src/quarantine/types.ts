/**
 * The quarantine's public shapes: one store interface, two backends (embedded files, Redis).
 * A record's customer data (envelope addresses, subject) and the raw message are encrypted at rest; what is
 * kept in plaintext (rules, reasons, masked evidence, masked addresses, history) carries no customer data.
 */
import type { Envelope, InboundMessage, RuleHit, Verdict } from '../core/types.js';

export const QUARANTINE_STATUSES = [
  'held',
  'release-requested',
  'releasing',
  'released',
  'deleted',
  'expired',
] as const;
export type QuarantineStatus = (typeof QUARANTINE_STATUSES)[number];

/** Statuses after which the raw message is gone or has left (no further transition except purge). */
export const FINAL_STATUSES: readonly QuarantineStatus[] = ['released', 'deleted', 'expired'];

export interface HistoryEntry {
  at: string;
  /** 'relay', 'system', 'cli:<user>', 'admin:<name>', 'sender' … */
  actor: string;
  /** 'held', 'release-requested', 'release-started', 'released', 'release-failed', 'deleted', 'expired' … */
  action: string;
  reason?: string;
  /** Free-form technical detail, never customer data in plaintext (masked addresses only). */
  details?: Record<string, unknown>;
}

/** The verdict as kept with the record (evidence is already masked by detect/). */
export interface HeldVerdict {
  action: Verdict['action'];
  rules: string[];
  reason: string;
  hits: RuleHit[];
}

/** Position of one finding in the parsed message's text segments (parse/), kept so the console can mark it. */
export interface FindingSpan {
  /** TextSegment.index and TextSegment.source of the segment the value was found in. */
  segment: number;
  source: string;
  offset: number;
  length: number;
  kind: string;
  /** Masked value (never the plaintext). */
  masked: string;
}

/** At most this many spans are kept per record. */
export const MAX_SPANS = 500;

/** What hold() keeps besides the message and verdict (sealed with the envelope). */
export interface HoldExtra {
  subject?: string;
  spans?: readonly FindingSpan[];
}

export interface QuarantineRecord {
  /** The relay's transaction id. */
  id: string;
  heldAt: string;
  expiresAt: string;
  /** Decrypted envelope; empty for deleted/expired records (the sealed data is dropped with the body). */
  envelope: Envelope;
  /** Masked envelope, safe for logs and lists. */
  masked: { mailFrom: string; rcptTo: string[] };
  client: { remoteAddress: string; user?: string };
  verdict: HeldVerdict;
  /** Decrypted subject, when one was given to hold(). */
  subject?: string;
  /** Where detection found values (positions and masked values, sealed with the subject); absent on old records. */
  spans?: FindingSpan[];
  size: number;
  status: QuarantineStatus;
  history: HistoryEntry[];
  /** Monotonic version, bumped by every transition (compare-and-set). */
  version: number;
}

export interface ListFilter {
  status?: QuarantineStatus;
  rule?: string;
  /** Envelope sender (canonical or substring, case-insensitive). */
  sender?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

export interface TransitionRequest {
  /** Allowed current statuses; anything else throws QUARANTINE_STATE. */
  from: readonly QuarantineStatus[];
  to: QuarantineStatus;
  entry: Omit<HistoryEntry, 'at'>;
}

/** Told of every committed transition (journal); awaited, errors logged and ignored. */
export type TransitionObserver = (record: QuarantineRecord, entry: HistoryEntry) => Promise<void> | void;

export interface QuarantineStore {
  readonly backend: 'file' | 'redis';
  /** Durably stores the message (all writes flushed before it resolves). */
  hold(message: InboundMessage, verdict: Verdict, extra?: HoldExtra): Promise<QuarantineRecord>;
  /** Throws QUARANTINE_NOT_FOUND. */
  get(id: string): Promise<QuarantineRecord>;
  /** Decrypted raw message. Throws QUARANTINE_NOT_FOUND (also when the body was deleted or expired). */
  getRaw(id: string): Promise<Buffer>;
  /** Newest first. */
  list(filter?: ListFilter): Promise<QuarantineRecord[]>;
  /** Atomic compare-and-set state change with a history entry; exactly one concurrent caller wins. */
  transition(id: string, req: TransitionRequest): Promise<QuarantineRecord>;
  /** Appends a history entry without changing the status. */
  note(id: string, entry: Omit<HistoryEntry, 'at'>): Promise<QuarantineRecord>;
  /**
   * A release interrupted by a crash leaves its record in 'releasing'. Once the release started longer than the
   * releasing timeout ago, this puts it back to held (atomically, re-checked on the stored record) with `entry` in
   * its history. Throws QUARANTINE_STATE when the record is not releasing or its release is still recent.
   */
  recoverRelease(id: string, entry: Omit<HistoryEntry, 'at'>): Promise<QuarantineRecord>;
  /** Records stuck in 'releasing' past the releasing timeout. */
  stuckReleases(now?: Date): Promise<QuarantineRecord[]>;
  /** How long a release may stay in 'releasing' before it counts as interrupted (ms). */
  readonly releasingTimeoutMs: number;
  /** Expires records past retention (drops the body), removes tombstones past a second retention period. */
  purge(now?: Date): Promise<{ expired: number; removed: number }>;
  /** Records per status. */
  counts(): Promise<Record<QuarantineStatus, number>>;
  /** Registers an observer of every transition made through this store object (release, delete, expiry …). */
  onTransition?(observer: TransitionObserver): void;
  /** A secret derived from the quarantine key for another purpose (e.g. signing release-request links). */
  deriveSecret(purpose: string): Buffer;
  close(): Promise<void>;
}
