/**
 * The admin digest: release requests, policy rejects and holds by rules with `notify: { admins: true }`, collected
 * for notify.digestEvery and sent as one mail to notify.admins. Only references, rule ids, customer ids, kinds of
 * data, masked recipients and actor names: never the message, its subject or a justification's text.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Logger } from 'pino';
import type { Upstream } from '../deliver/types.js';
import type { RecordedEntry } from '../journal/recorder.js';
import type { JournalEntry } from '../journal/types.js';
import { Batcher } from './batcher.js';

export interface DigestOptions {
  admins: string[];
  from: string;
  everyMs: number;
  upstream: Upstream;
  /** Console base URL, named in the digest. */
  publicUrl?: string;
  logger?: Logger;
  now?: () => Date;
}

/** Whether an entry belongs in the admin digest. */
export function forDigest(e: RecordedEntry): boolean {
  const { entry } = e;
  if (entry.event === 'release-requested') return true;
  if (entry.event === 'rejected' && entry.action === 'reject') return true;
  return e.notifyAdmins && (entry.event === 'held' || entry.event === 'delivered');
}

function describe(e: JournalEntry): string {
  const what =
    e.event === 'release-requested'
      ? 'release requested'
      : e.event === 'rejected'
        ? 'rejected'
        : e.event === 'held'
          ? 'held for review'
          : e.action === 'tag'
            ? 'delivered (tagged)'
            : e.event;
  return [
    `- ${e.time}  ${what}  ref ${e.ref}`,
    `    rules: ${e.rules.join(', ') || '-'}`,
    `    customers: ${e.customers.join(', ') || '-'}   data: ${e.kinds.join(', ') || '-'}`,
    `    recipients: ${e.recipients.join(', ') || '-'}`,
    ...(e.actor && e.actor !== 'relay' ? [`    by: ${e.actor}`] : []),
  ].join('\n');
}

export function digestText(entries: readonly JournalEntry[], publicUrl?: string): string {
  const requests = entries.filter((e) => e.event === 'release-requested');
  const rejects = entries.filter((e) => e.event === 'rejected');
  const others = entries.filter((e) => !requests.includes(e) && !rejects.includes(e));
  const section = (title: string, list: readonly JournalEntry[]) =>
    list.length ? ['', `${title} (${list.length}):`, ...list.map(describe)] : [];
  return [
    `postguard: ${entries.length} event(s) since the last digest.`,
    ...section('Release requests waiting for review', requests),
    ...section('Rejected messages', rejects),
    ...section('Other events for admins', others),
    '',
    publicUrl
      ? `Review them in the console: ${publicUrl}`
      : 'Review them in the console or with `postguard quarantine list`.',
    'Details per message: `postguard report incident REF`.',
    '',
    '-- postguard',
  ].join('\n');
}

export class AdminDigest {
  private readonly batcher: Batcher<JournalEntry>;

  constructor(private readonly opts: DigestOptions) {
    this.batcher = new Batcher(opts.everyMs, (_k, items) => this.send(items));
  }

  /** Takes any recorded entry; keeps the ones admins want. */
  add(e: RecordedEntry): void {
    if (this.opts.admins.length && forDigest(e)) this.batcher.add('digest', e.entry);
  }

  private async send(entries: JournalEntry[]): Promise<void> {
    const now = this.opts.now?.() ?? new Date();
    const requests = entries.filter((e) => e.event === 'release-requested').length;
    const rejects = entries.filter((e) => e.event === 'rejected').length;
    const composer = new MailComposer({
      from: this.opts.from,
      to: this.opts.admins.join(', '),
      subject: `postguard digest: ${requests} release request(s), ${rejects} reject(s), ${entries.length} event(s)`,
      text: digestText(entries, this.opts.publicUrl),
      date: now,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    });
    const raw = await new Promise<Buffer>((resolve, reject) =>
      composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf))),
    );
    try {
      const result = await this.opts.upstream.send({ mailFrom: '', rcptTo: this.opts.admins }, raw, {
        id: `digest-${now.getTime()}`,
      });
      if (result.status !== 'sent')
        this.opts.logger?.warn({ code: result.code, events: entries.length }, 'admin digest not accepted upstream');
      else this.opts.logger?.info({ events: entries.length, admins: this.opts.admins.length }, 'admin digest sent');
    } catch (err) {
      this.opts.logger?.warn({ events: entries.length, err: (err as Error).message }, 'admin digest failed');
    }
  }

  close(): Promise<void> {
    return this.batcher.close();
  }
}
