/**
 * Folds journal entries into per-message histories, and counts them: the query side shared by both backends.
 */
import type { JournalEntry, JournalStats, MessageHistory } from './types.js';

const union = (a: string[], b: readonly string[]): string[] => {
  for (const x of b) if (!a.includes(x)) a.push(x);
  return a;
};

/** Entries (any order) → one history per reference, oldest message first. */
export function foldHistories(entries: readonly JournalEntry[]): MessageHistory[] {
  const byRef = new Map<string, MessageHistory>();
  const sorted = [...entries].sort((a, b) => a.time.localeCompare(b.time));
  for (const e of sorted) {
    let h = byRef.get(e.ref);
    if (!h) {
      h = {
        ref: e.ref,
        time: e.time,
        rules: [],
        customers: [],
        kinds: [],
        recipients: [],
        delivered: false,
        status: e.event,
        events: [],
      };
      byRef.set(e.ref, h);
    }
    if (e.action && !h.action) h.action = e.action;
    union(h.rules, e.rules);
    union(h.customers, e.customers);
    union(h.kinds, e.kinds);
    if (!h.recipients.length || e.event === 'verdict') h.recipients = [...e.recipients];
    if (e.delivered) h.delivered = true;
    // release-failed and release-started do not change where the message is
    if (e.event !== 'verdict' && e.event !== 'release-failed') h.status = e.event;
    h.events.push({
      time: e.time,
      event: e.event,
      ...(e.actor ? { actor: e.actor } : {}),
      ...(e.delivered !== undefined ? { delivered: e.delivered } : {}),
      ...(e.event === 'released' || e.event === 'release-failed' ? { recipients: e.recipients } : {}),
      ...(e.reply !== undefined ? { reply: e.reply } : {}),
    });
  }
  for (const h of byRef.values()) if (h.status === 'verdict') h.status = 'outcome not recorded';
  return [...byRef.values()].sort((a, b) => a.time.localeCompare(b.time) || a.ref.localeCompare(b.ref));
}

export function countHistories(histories: readonly MessageHistory[], since?: Date): JournalStats {
  const stats: JournalStats = {
    ...(since ? { since: since.toISOString() } : {}),
    messages: 0,
    byAction: {},
    byStatus: {},
    actions: {},
    rules: {},
    customersAffected: 0,
  };
  const affected = new Set<string>();
  for (const h of histories) {
    stats.messages++;
    const action = h.action ?? 'unknown';
    stats.byAction[action] = (stats.byAction[action] ?? 0) + 1;
    stats.byStatus[h.status] = (stats.byStatus[h.status] ?? 0) + 1;
    for (const r of h.rules) stats.rules[r] = (stats.rules[r] ?? 0) + 1;
    for (const e of h.events) {
      if (e.actor && e.actor !== 'relay') stats.actions[e.event] = (stats.actions[e.event] ?? 0) + 1;
    }
    if (action !== 'deliver') for (const c of h.customers) affected.add(c);
  }
  stats.customersAffected = affected.size;
  return stats;
}
