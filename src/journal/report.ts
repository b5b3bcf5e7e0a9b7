/**
 * Human and machine renderings of journal queries for `postguard report`:
 *   customer: every message that carried a customer's data, where it went (masked) and what happened;
 *   incident: a breach-evidence summary of one message along the lines of GDPR Art. 33(3) (a)–(d): nature of the
 *   data (kinds), data subjects (count and customer ids), recipients (masked), delivered or held, the timeline of
 *   actions and who took them, and the measures taken (held, rejected, deleted …).
 */
import type { MessageHistory } from './types.js';

export interface CustomerReportLine {
  ref: string;
  time: string;
  verdict: string;
  rules: string[];
  kinds: string[];
  recipients: string[];
  delivered: boolean;
  status: string;
  actions: { time: string; event: string; actor?: string }[];
}

export function customerLines(histories: readonly MessageHistory[]): CustomerReportLine[] {
  return histories.map((h) => ({
    ref: h.ref,
    time: h.time,
    verdict: h.action ?? 'unknown',
    rules: h.rules,
    kinds: h.kinds,
    recipients: h.recipients,
    delivered: h.delivered,
    status: h.status,
    actions: h.events
      .filter((e) => e.actor && e.actor !== 'relay')
      .map((e) => ({ time: e.time, event: e.event, ...(e.actor ? { actor: e.actor } : {}) })),
  }));
}

export function customerReportText(customer: string, histories: readonly MessageHistory[], since?: Date): string {
  const lines = customerLines(histories);
  const head = `Messages carrying data of customer ${customer}${since ? ` since ${since.toISOString()}` : ''}: ${lines.length}`;
  if (!lines.length) return head + '\n';
  const out = [head, ''];
  for (const l of lines) {
    out.push(`${l.time}  ref ${l.ref}  ${l.verdict} → ${l.status}${l.delivered ? ' (delivered)' : ' (not delivered)'}`);
    out.push(`  to:    ${l.recipients.join(', ') || '-'}`);
    out.push(`  data:  ${l.kinds.join(', ') || '-'}   rules: ${l.rules.join(', ') || '-'}`);
    for (const a of l.actions) out.push(`  ${a.time}  ${a.event} by ${a.actor ?? '?'}`);
  }
  return out.join('\n') + '\n';
}

export interface IncidentReport {
  ref: string;
  time: string;
  verdict: string;
  rules: string[];
  /** Art. 33(3)(a): categories of personal data. */
  kinds: string[];
  /** Art. 33(3)(a): number of data subjects and who they are (customer ids). */
  dataSubjects: { count: number; customers: string[] };
  /** Recipients, masked. */
  recipients: string[];
  delivered: boolean;
  status: string;
  /** Every event with who took it. */
  timeline: {
    time: string;
    event: string;
    actor?: string;
    delivered?: boolean;
    recipients?: string[];
    reply?: number;
  }[];
}

export function incidentOf(h: MessageHistory): IncidentReport {
  return {
    ref: h.ref,
    time: h.time,
    verdict: h.action ?? 'unknown',
    rules: h.rules,
    kinds: h.kinds,
    dataSubjects: { count: h.customers.length, customers: h.customers },
    recipients: h.recipients,
    delivered: h.delivered,
    status: h.status,
    timeline: h.events,
  };
}

/** The incident's outcome in words (report text and the console's incident page). */
export function incidentOutcome(r: Pick<IncidentReport, 'delivered' | 'status'>): string {
  return r.delivered
    ? 'DELIVERED to its recipients'
    : r.status === 'rejected'
      ? 'REJECTED, not delivered'
      : `NOT DELIVERED (${r.status})`;
}

/** A timeline event's details in words: reply code, (masked) recipients of a release, delivered or not. */
export function eventDetails(e: IncidentReport['timeline'][number]): string {
  return [
    e.reply !== undefined ? `reply ${e.reply}` : '',
    e.recipients?.length ? `to ${e.recipients.join(', ')}` : '',
    e.delivered !== undefined ? (e.delivered ? 'delivered' : 'not delivered') : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export function incidentReportText(r: IncidentReport): string {
  const outcome = incidentOutcome(r);
  return (
    [
      `Incident evidence for message ${r.ref}`,
      '',
      `First seen:        ${r.time}`,
      `Verdict:           ${r.verdict}${r.rules.length ? ` (rules ${r.rules.join(', ')})` : ''}`,
      `Outcome:           ${outcome}`,
      `Kinds of data:     ${r.kinds.join(', ') || 'none recorded'}`,
      `Data subjects:     ${r.dataSubjects.count}${r.dataSubjects.count ? ` (customer ids: ${r.dataSubjects.customers.join(', ')})` : ''}`,
      `Recipients:        ${r.recipients.join(', ') || '-'}`,
      '',
      'Timeline:',
      ...r.timeline.map((e) => {
        const extra = eventDetails(e);
        return `  ${e.time}  ${e.event.padEnd(18)} by ${e.actor ?? '?'}${extra ? `  (${extra})` : ''}`;
      }),
      '',
      'Recipients are masked and no message content is kept in the journal; the held message itself (while it is',
      'kept) is in the quarantine: postguard quarantine show REF.',
    ].join('\n') + '\n'
  );
}
