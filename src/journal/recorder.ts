/**
 * Feeds the journal from the relay and the quarantine, and passes every entry on to listeners (notifications).
 *
 * - verdict(): before the relay acts on a verdict. Awaited by the transaction: when the journal cannot be written
 *   the message is not accepted (451) — fail closed: nothing was delivered or held, the client retries.
 * - outcome(): after the reply is decided (delivered, held, rejected, not accepted). The act is done and cannot be
 *   undone, so a failure here is logged and counted, never turned into another reply (that would double-deliver).
 * - watch(store): every quarantine transition (release request, release, delete, expiry) with its actor.
 */
import type { Logger } from 'pino';
import type { InboundMessage, Verdict } from '../core/types.js';
import type { HistoryEntry, QuarantineRecord } from '../quarantine/types.js';
import { actionEntry, outcomeEntry, verdictEntry, type DataFacts } from './entries.js';
import type { Journal } from './journal.js';
import type { JournalEntry } from './types.js';

/** Verdicts waiting for their outcome; far above the relay's connection limit. */
const MAX_OPEN = 100_000;

export interface RecordedEntry {
  entry: JournalEntry;
  /** A deciding rule asked for admin notification (policy `notify: { admins: true }`). */
  notifyAdmins: boolean;
}

export type EntryListener = (e: RecordedEntry) => void;

export interface RecorderOptions {
  relay: string;
  logger?: Logger;
  /** Called on every failed write (metrics). */
  onWriteFailure?(kind: 'verdict' | 'outcome' | 'action'): void;
}

export interface TransitionSource {
  onTransition?(observer: (record: QuarantineRecord, entry: HistoryEntry) => Promise<void> | void): void;
}

export class JournalRecorder {
  private readonly open = new Map<string, RecordedEntry>();
  private readonly listeners: EntryListener[] = [];

  constructor(
    readonly journal: Journal,
    private readonly opts: RecorderOptions,
  ) {}

  listen(fn: EntryListener): void {
    this.listeners.push(fn);
  }

  private emit(e: RecordedEntry): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.opts.logger?.warn({ ref: e.entry.ref, err: (err as Error).message }, 'journal listener failed');
      }
    }
  }

  /** Throws (EPG_JOURNAL) when the entry is not durable: the caller must not act on the verdict. */
  async verdict(message: InboundMessage, verdict: Verdict, facts?: DataFacts): Promise<void> {
    const entry = verdictEntry(message, verdict, facts, this.opts.relay);
    try {
      await this.journal.append(entry);
    } catch (err) {
      this.opts.onWriteFailure?.('verdict');
      throw err;
    }
    const deciding = verdict.hits.filter((h) => verdict.rules.includes(h.ruleId));
    if (this.open.size >= MAX_OPEN) this.open.delete(this.open.keys().next().value!); // a transaction that never finished
    this.open.set(message.id, { entry, notifyAdmins: deciding.some((h) => h.notify?.admins === true) });
  }

  /** After the reply: records where the message went. Never throws. */
  outcome(ref: string, replyCode: number): Promise<void> {
    const v = this.open.get(ref);
    if (!v) return Promise.resolve(); // no verdict recorded (scan failed, journal failed)
    this.open.delete(ref);
    const entry = outcomeEntry(v.entry, replyCode);
    return this.write(entry, 'outcome').then((ok) => {
      if (ok) this.emit({ entry, notifyAdmins: v.notifyAdmins });
    });
  }

  /** Journals every transition of the store's records from now on. */
  watch(store: TransitionSource): void {
    store.onTransition?.(async (record, history) => {
      const entry = actionEntry(record, history, this.opts.relay);
      if (entry && (await this.write(entry, 'action'))) this.emit({ entry, notifyAdmins: false });
    });
  }

  private async write(entry: JournalEntry, kind: 'outcome' | 'action'): Promise<boolean> {
    try {
      await this.journal.append(entry);
      return true;
    } catch (err) {
      this.opts.onWriteFailure?.(kind);
      this.opts.logger?.error(
        { ref: entry.ref, event: entry.event, errCode: (err as { code?: string }).code ?? 'ERROR' },
        'journal write failed; entry lost',
      );
      return false;
    }
  }
}

/**
 * For short-lived processes (the CLI): journals every transition of the store, opening the journal for each one
 * and closing it after the write. `onError` hears about entries that could not be written.
 */
export function journalTransitions(
  store: TransitionSource,
  open: () => Promise<Journal>,
  onError: (err: unknown, entry: JournalEntry) => void,
  relay?: string,
): void {
  store.onTransition?.(async (record, history) => {
    const entry = actionEntry(record, history, relay);
    if (!entry) return;
    try {
      const journal = await open();
      try {
        await journal.append(entry);
      } finally {
        await journal.close();
      }
    } catch (err) {
      onError(err, entry);
    }
  });
}
