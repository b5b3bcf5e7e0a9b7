/**
 * Journal entries from what the relay and the quarantine know: the verdict (with the detection's customer ids and
 * kinds), the transaction's outcome, and a quarantine record's history entry. Addresses are masked here.
 */
import { maskAddress } from '../core/address.js';
import type { Detection, InboundMessage, Verdict } from '../core/types.js';
import type { HistoryEntry, QuarantineRecord } from '../quarantine/types.js';
import type { JournalEntry } from './types.js';

/** What the detection found, reduced to what the journal may keep. */
export interface DataFacts {
  customers: string[];
  kinds: string[];
}

export function factsOf(detection: Pick<Detection, 'findings'>): DataFacts {
  const customers = new Set<string>();
  const kinds = new Set<string>();
  for (const f of detection.findings) {
    kinds.add(f.kind);
    for (const c of f.customers) customers.add(c);
  }
  return { customers: [...customers].sort(), kinds: [...kinds].sort() };
}

function evidenceFacts(verdict: Pick<Verdict, 'hits'>): DataFacts {
  const customers = new Set<string>();
  const kinds = new Set<string>();
  for (const h of verdict.hits) {
    for (const e of h.evidence) {
      kinds.add(e.kind);
      for (const c of e.customers) customers.add(c);
    }
  }
  return { customers: [...customers], kinds: [...kinds] };
}

function merge(a: DataFacts, b: DataFacts): DataFacts {
  return {
    customers: [...new Set([...a.customers, ...b.customers])].sort(),
    kinds: [...new Set([...a.kinds, ...b.kinds])].sort(),
  };
}

export function verdictEntry(
  message: InboundMessage,
  verdict: Verdict,
  facts: DataFacts | undefined,
  relay: string,
  now = new Date(),
): JournalEntry {
  const f = merge(facts ?? { customers: [], kinds: [] }, evidenceFacts(verdict));
  return {
    time: now.toISOString(),
    ref: message.id,
    event: 'verdict',
    action: verdict.action,
    rules: [...verdict.rules],
    customers: f.customers,
    kinds: f.kinds,
    recipients: message.envelope.rcptTo.map(maskAddress),
    actor: 'relay',
    relay,
  };
}

/** The outcome of a verdict entry, from the SMTP reply the client got. */
export function outcomeEntry(verdict: JournalEntry, replyCode: number, now = new Date()): JournalEntry {
  const ok = replyCode >= 200 && replyCode < 300;
  // 5xx: refused by policy or by the upstream; 4xx: not accepted, the client retries (under a new reference)
  const event = ok
    ? verdict.action === 'quarantine'
      ? 'held'
      : 'delivered'
    : replyCode >= 500
      ? 'rejected'
      : 'not-accepted';
  return { ...verdict, time: now.toISOString(), event, delivered: event === 'delivered', reply: replyCode };
}

/** History actions that are no journal event of their own (the outcome follows as its own entry). */
const SKIPPED_ACTIONS = new Set(['release-started', 'held']);

/** A quarantine transition's history entry as a journal entry; null for steps that are not journaled. */
export function actionEntry(
  record: QuarantineRecord,
  entry: Pick<HistoryEntry, 'actor' | 'action' | 'details'> & { at?: string },
  relay?: string,
): JournalEntry | null {
  if (SKIPPED_ACTIONS.has(entry.action)) return null;
  const f = evidenceFacts(record.verdict);
  const detailRecipients = entry.details?.recipients;
  const recipients =
    Array.isArray(detailRecipients) && detailRecipients.every((r) => typeof r === 'string')
      ? detailRecipients
      : record.masked.rcptTo;
  const accepted = typeof entry.details?.accepted === 'number' ? entry.details.accepted : undefined;
  return {
    time: entry.at ?? new Date().toISOString(),
    ref: record.id,
    event: entry.action,
    action: record.verdict.action,
    rules: [...record.verdict.rules],
    customers: f.customers.sort(),
    kinds: f.kinds.sort(),
    recipients: recipients.map((r) => (r.includes('•') ? r : maskAddress(r))),
    delivered: entry.action === 'released' ? accepted === undefined || accepted > 0 : false,
    actor: entry.actor,
    ...(relay ? { relay } : {}),
  };
}
