/**
 * The hold notice to the sending agent: what was held (masked), why (rule reasons), the reference, and a signed
 * link to request release. Never the data itself, never the original subject. Sent with the null sender
 * (RFC 3834: automatic responses must not trigger further automatic responses). Never sent for rejects.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Logger } from 'pino';
import { maskAddress } from '../core/address.js';
import type { DeliveryResult, Upstream } from '../deliver/types.js';
import type { QuarantineRecord } from '../quarantine/types.js';
import type { LinkSigner } from './signer.js';

export interface NoticeOptions {
  /** Header From of the notice (config noticeFrom, default postguard@HOSTNAME). */
  from: string;
  /** Base URL of the console as agents reach it. */
  publicUrl: string;
  signer: LinkSigner;
  now?: Date;
}

/** True when the sender gets a notice: held, a sender to tell, and no deciding rule said notify.sender: false. */
export function shouldNotifySender(record: Pick<QuarantineRecord, 'verdict' | 'envelope'>, opts: { from?: string } = {}): boolean {
  const { verdict, envelope } = record;
  if (verdict.action !== 'quarantine' || !envelope.mailFrom) return false;
  if (opts.from && envelope.mailFrom.toLowerCase() === opts.from.toLowerCase()) return false; // never notify ourselves
  const deciding = verdict.hits.filter((h) => verdict.rules.includes(h.ruleId));
  return !deciding.some((h) => h.notify?.sender === false);
}

export function holdNoticeText(record: QuarantineRecord, opts: NoticeOptions): string {
  const now = opts.now ?? new Date();
  const link = opts.signer.link(opts.publicUrl, record.id, now);
  const { exp } = opts.signer.sign(record.id, now);
  const reasons = new Set<string>();
  for (const h of record.verdict.hits) if (record.verdict.rules.includes(h.ruleId)) reasons.add(`${h.reason} (rule ${h.ruleId})`);
  if (!reasons.size) reasons.add(record.verdict.reason);
  const found: string[] = [];
  for (const h of record.verdict.hits) {
    for (const e of h.evidence) {
      const line = `- ${e.kind}: ${e.masked} (in ${e.source})`;
      if (!found.includes(line)) found.push(line);
    }
  }
  return [
    'Your message has not been delivered yet: it was held for review because it appears to contain personal data',
    'that its recipients should not receive.',
    '',
    `Reference:  ${record.id}`,
    `Held at:    ${record.heldAt}`,
    `Recipients: ${record.envelope.rcptTo.map(maskAddress).join(', ')}`,
    `Size:       ${record.size} bytes`,
    '',
    'Why:',
    ...[...reasons].map((r) => `- ${r}`),
    '',
    ...(found.length ? ['What was found (masked):', ...found.slice(0, 50), ''] : []),
    'If the message is correct and must go out as it is, request its release with a short justification:',
    link,
    `(The link expires ${new Date(exp * 1000).toISOString()}.)`,
    '',
    'An administrator reviews every request. If the message went to the wrong recipient or carries the wrong',
    'attachment, do nothing with this one and send a corrected message instead.',
    '',
    '-- postguard',
  ].join('\n');
}

/** The notice as raw RFC 5322 bytes. */
export function buildHoldNotice(record: QuarantineRecord, opts: NoticeOptions): Promise<Buffer> {
  const composer = new MailComposer({
    from: opts.from,
    to: record.envelope.mailFrom,
    subject: `Message held for review (ref ${record.id})`,
    text: holdNoticeText(record, opts),
    date: opts.now ?? new Date(),
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Postguard-Ref': record.id,
    },
  });
  return new Promise((resolve, reject) => composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf))));
}

export async function sendHoldNotice(upstream: Upstream, record: QuarantineRecord, opts: NoticeOptions): Promise<DeliveryResult> {
  const raw = await buildHoldNotice(record, opts);
  return upstream.send({ mailFrom: '', rcptTo: [record.envelope.mailFrom] }, raw, { id: `${record.id}.notice` });
}

/**
 * For the relay, after a durable hold (and after the client got its 250): notify the sender when due.
 * Never throws; returns whether a notice was accepted upstream.
 */
export async function notifyHold(
  upstream: Upstream,
  record: QuarantineRecord,
  opts: NoticeOptions & { logger?: Logger },
): Promise<boolean> {
  if (!shouldNotifySender(record, { from: opts.from })) return false;
  try {
    const result = await sendHoldNotice(upstream, record, opts);
    if (result.status !== 'sent') {
      opts.logger?.warn({ id: record.id, code: result.code, to: maskAddress(record.envelope.mailFrom) }, 'hold notice not accepted upstream');
      return false;
    }
    opts.logger?.info({ id: record.id, to: maskAddress(record.envelope.mailFrom) }, 'hold notice sent');
    return true;
  } catch (err) {
    opts.logger?.warn({ id: record.id, err: err instanceof Error ? err.message : String(err) }, 'hold notice failed');
    return false;
  }
}
