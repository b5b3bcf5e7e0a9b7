/**
 * The verdict journal's shapes: one append-only line per event of a message's life: the verdict (written before
 * the relay acts on it), the outcome (delivered, held, rejected, not accepted) and every later action (release
 * request, release, delete, expiry). Entries carry no plaintext customer data: references, rule ids, customer
 * ids, kinds of data, masked recipients and actor names only.
 */
import type { Action } from '../core/types.js';

/** 'verdict' before acting; outcomes; then quarantine actions (history action names). */
export type JournalEvent =
  | 'verdict'
  | 'delivered'
  | 'held'
  | 'rejected'
  | 'not-accepted'
  | 'release-requested'
  | 'released'
  | 'release-failed'
  | 'deleted'
  | 'expired'
  | (string & {});

export const OUTCOME_EVENTS: readonly string[] = ['delivered', 'held', 'rejected', 'not-accepted'];

export interface JournalEntry {
  /** ISO time of the event. */
  time: string;
  /** The relay's transaction id (the reference in replies, notices and the console). */
  ref: string;
  event: JournalEvent;
  /** The verdict's action (on verdict and outcome entries, and on actions: the verdict the message had). */
  action?: Action;
  rules: string[];
  /** Customer ids whose data the message carried. */
  customers: string[];
  /** Kinds of data found ('iban', 'full_name', …). */
  kinds: string[];
  /** Masked recipients (m•••@example.com). */
  recipients: string[];
  /** Whether the message (or, for a release, the released copy) reached the upstream. */
  delivered?: boolean;
  /** Who took an action: 'admin:alice', 'cli:root', 'sender', 'system'. 'relay' for verdicts and outcomes. */
  actor?: string;
  /** SMTP reply code given to the client (outcomes). */
  reply?: number;
  /** Host name of the relay that wrote the entry. */
  relay?: string;
}

export interface JournalScan {
  since?: Date;
  until?: Date;
  ref?: string;
  customer?: string;
}

/** A storage backend: append durably, read back in time order, prune by age. */
export interface JournalBackend {
  readonly backend: 'file' | 'postgres';
  /** Resolves once the entry is durable (fsync'd file / committed row); rejects with EPG_JOURNAL. */
  append(entry: JournalEntry): Promise<void>;
  /** Entries matching every given field, oldest first. */
  scan(q: JournalScan): Promise<JournalEntry[]>;
  /** Entries of every message that has at least one entry naming the customer at or after `since`. */
  messagesOfCustomer(customer: string, since?: Date): Promise<JournalEntry[]>;
  /** Removes entries older than `before`; returns how many files/rows went. */
  prune(before: Date): Promise<number>;
  close(): Promise<void>;
}

/** One message as the journal knows it: its verdict, outcome and actions. */
export interface MessageHistory {
  ref: string;
  /** Time of the first entry (the verdict). */
  time: string;
  action?: Action;
  rules: string[];
  customers: string[];
  kinds: string[];
  recipients: string[];
  /** Delivered to its recipients at some point (outcome delivered or a release). */
  delivered: boolean;
  /** The latest state: delivered, held, rejected, not-accepted, released, deleted, expired, release-requested … */
  status: string;
  events: { time: string; event: string; actor?: string; delivered?: boolean; recipients?: string[]; reply?: number }[];
}

export interface JournalStats {
  since?: string;
  messages: number;
  byAction: Record<string, number>;
  byStatus: Record<string, number>;
  actions: Record<string, number>;
  rules: Record<string, number>;
  /** Distinct customers whose data was in messages that were not simply delivered (held, rejected, tagged). */
  customersAffected: number;
}
