/**
 * The verdict journal: append-only evidence of every message's verdict and every later action, with a small
 * query API (byCustomer, byReference, stats) for the `report` command and the console.
 * Backends: files in the data folder (default) or PostgreSQL (journal.postgres).
 */
import { FileJournal } from './file-journal.js';
import { countHistories, foldHistories } from './history.js';
import type { JournalBackend, JournalEntry, JournalStats, MessageHistory } from './types.js';

export const DEFAULT_RETENTION_MS = 400 * 86_400_000;

export interface OpenJournalOptions {
  dataDir: string;
  /** postgres:// URL; empty/undefined = files under DATA_DIR/journal. */
  postgres?: string;
  /** How long entries are kept (default 400 days). */
  retentionMs?: number;
  /** Files backend: fail when the journal folder does not exist (reports) instead of creating it. */
  mustExist?: boolean;
}

export class Journal {
  constructor(
    readonly store: JournalBackend,
    readonly retentionMs: number = DEFAULT_RETENTION_MS,
  ) {}

  get backend(): JournalBackend['backend'] {
    return this.store.backend;
  }

  /** Durable before it resolves; rejects with EPG_JOURNAL. */
  append(entry: JournalEntry): Promise<void> {
    return this.store.append(entry);
  }

  /** Every message that carried the customer's data (since the date), with where it went and what happened. */
  async byCustomer(customerId: string, since?: Date): Promise<MessageHistory[]> {
    return foldHistories(await this.store.messagesOfCustomer(customerId, since));
  }

  /** One message's history; null when the journal has no entry for it. */
  async byReference(ref: string): Promise<MessageHistory | null> {
    return foldHistories(await this.store.scan({ ref }))[0] ?? null;
  }

  /** Raw entries, oldest first (for exports). */
  entries(q: { since?: Date; until?: Date } = {}): Promise<JournalEntry[]> {
    return this.store.scan(q);
  }

  /** Counts per verdict, status, action and rule of the messages since the date. */
  async stats(since?: Date): Promise<JournalStats> {
    return countHistories(foldHistories(await this.store.scan(since ? { since } : {})), since);
  }

  /** Drops what is older than the retention. */
  prune(now: Date = new Date()): Promise<number> {
    return this.store.prune(new Date(now.getTime() - this.retentionMs));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export async function openJournal(opts: OpenJournalOptions): Promise<Journal> {
  const backend = opts.postgres
    ? await (await import('./pg-journal.js')).PgJournal.connect(opts.postgres)
    : await FileJournal.open(opts.dataDir, { create: !opts.mustExist });
  return new Journal(backend, opts.retentionMs ?? DEFAULT_RETENTION_MS);
}
