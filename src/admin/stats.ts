/**
 * Quarantine statistics for the console and GET /api/stats, computed from the quarantine store's records (held,
 * released, deleted, per rule, per day, top senders masked, release rate, time to release) and, for messages
 * refused in-session (never stored), the verdict journal when one is configured (the `since` window across
 * restarts and every relay writing to it), else the metrics counter of this process (only since it started).
 *
 * The held/released/deleted counts stay with the quarantine store: it is durable and shared by the relays that can
 * act on its messages, its records carry what the charts need (senders, times to release) and the journal does not,
 * and one source keeps the totals, the per-rule bars and the release rate consistent with each other.
 */
import type { Journal } from '../journal/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { QuarantineRecord } from '../quarantine/types.js';

export interface Stats {
  since: string;
  held: number;
  released: number;
  deleted: number;
  rejected: number;
  byRule: Record<string, number>;
  byDay: { day: string; byRule: Record<string, number> }[];
  topSenders: { sender: string; held: number }[];
  releaseRate: number;
  medianReleaseMinutes: number | null;
  /** Released messages by time from hold to release. */
  timeToRelease: { bucket: string; count: number }[];
}

/** Upper bounds (minutes) of the time-to-release buckets. */
const RELEASE_BUCKETS: [string, number][] = [
  ['< 15 min', 15],
  ['15–60 min', 60],
  ['1–4 h', 240],
  ['4–24 h', 1440],
  ['> 1 day', Infinity],
];

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Statistics over the records held at or after `since` (records as the store lists them). */
export function computeStats(records: QuarantineRecord[], since: Date, rejected: number): Stats {
  const byRule: Record<string, number> = {};
  const days = new Map<string, Record<string, number>>();
  const senders = new Map<string, number>();
  const releaseMinutes: number[] = [];
  let released = 0;
  let deleted = 0;
  let held = 0;
  for (const r of records) {
    if (new Date(r.heldAt) < since) continue;
    held++;
    if (r.status === 'released') {
      released++;
      const at = r.history.find((h) => h.action === 'released')?.at;
      if (at) releaseMinutes.push((Date.parse(at) - Date.parse(r.heldAt)) / 60_000);
    }
    if (r.status === 'deleted') deleted++;
    const day = r.heldAt.slice(0, 10);
    const dayRules = days.get(day) ?? {};
    days.set(day, dayRules);
    for (const rule of r.verdict.rules) {
      byRule[rule] = (byRule[rule] ?? 0) + 1;
      dayRules[rule] = (dayRules[rule] ?? 0) + 1;
    }
    const sender = r.masked.mailFrom || '<>';
    senders.set(sender, (senders.get(sender) ?? 0) + 1);
  }
  return {
    since: since.toISOString(),
    held,
    released,
    deleted,
    rejected,
    byRule,
    byDay: [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, rules]) => ({ day, byRule: rules })),
    topSenders: [...senders.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 10)
      .map(([sender, n]) => ({ sender, held: n })),
    releaseRate: released + deleted ? released / (released + deleted) : 0,
    medianReleaseMinutes: median(releaseMinutes),
    timeToRelease: RELEASE_BUCKETS.map(([bucket, max], i) => ({
      bucket,
      count: releaseMinutes.filter((m) => m < max && (i === 0 || m >= RELEASE_BUCKETS[i - 1]![1])).length,
    })),
  };
}

/** Messages refused in-session, as counted by this process's metrics (postguard_messages_total{verdict="reject"}). */
export async function rejectedCount(metrics: Metrics): Promise<number> {
  const json = (await metrics.registry.getMetricsAsJSON()) as {
    name: string;
    values: { value: number; labels: Record<string, string | number> }[];
  }[];
  const messages = json.find((m) => m.name.endsWith('messages_total'));
  return (messages?.values ?? []).filter((v) => v.labels.verdict === 'reject').reduce((n, v) => n + v.value, 0);
}

/** Messages refused in-session (outcome "rejected", a 5xx reply) in the journal since the date. */
export async function journalRejected(journal: Journal, since: Date): Promise<number> {
  return (await journal.stats(since)).byStatus.rejected ?? 0;
}
