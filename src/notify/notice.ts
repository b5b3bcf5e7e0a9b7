/**
 * The hold notice to the sending agent: what was held (masked), why (rule reasons), the reference, the original
 * subject (so the agent recognises the message; it goes only to the envelope sender who wrote it), and a signed
 * link to request release. Never the found data itself. Several holds for one sender batched together
 * (notify/sender-batch.ts) go out as one notice with one section per message. Sent with the null sender
 * (RFC 3834: automatic responses must not trigger further automatic responses). Never sent for rejects.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Logger } from 'pino';
import { maskAddress } from '../core/address.js';
import type { DeliveryResult, Upstream } from '../deliver/types.js';
import type { QuarantineRecord } from '../quarantine/types.js';
import type { LinkSigner } from './signer.js';

export interface NoticeOptions {
  /** Header From of the notice (config notify.from, default postguard@HOSTNAME). */
  from: string;
  /** Base URL of the console as agents reach it. */
  publicUrl: string;
  signer: LinkSigner;
  now?: Date;
}

/** True when the sender gets a notice: held, a sender to tell, and no deciding rule said notify.sender: false. */
export function shouldNotifySender(
  record: Pick<QuarantineRecord, 'verdict' | 'envelope'>,
  opts: { from?: string } = {},
): boolean {
  const { verdict, envelope } = record;
  if (verdict.action !== 'quarantine' || !envelope.mailFrom) return false;
  if (opts.from && envelope.mailFrom.toLowerCase() === opts.from.toLowerCase()) return false; // never notify ourselves
  const deciding = verdict.hits.filter((h) => verdict.rules.includes(h.ruleId));
  return !deciding.some((h) => h.notify?.sender === false);
}

/** The original subject, one line, at most SUBJECT_MAX characters. */
const SUBJECT_MAX = 200;
function oneLine(subject: string | undefined): string {
  const s = (subject ?? '').replace(/[\r\n\t]+/g, ' ').trim();
  if (!s) return '(no subject)';
  return s.length > SUBJECT_MAX ? `${s.slice(0, SUBJECT_MAX - 1)}…` : s;
}

function messageSection(record: QuarantineRecord, opts: NoticeOptions): string[] {
  const now = opts.now ?? new Date();
  const link = opts.signer.link(opts.publicUrl, record.id, now);
  const { exp } = opts.signer.sign(record.id, now);
  const reasons = new Set<string>();
  for (const h of record.verdict.hits)
    if (record.verdict.rules.includes(h.ruleId)) reasons.add(`${h.reason} (rule ${h.ruleId})`);
  if (!reasons.size) reasons.add(record.verdict.reason);
  const found: string[] = [];
  for (const h of record.verdict.hits) {
    for (const e of h.evidence) {
      const line = `- ${e.kind}: ${e.masked} (in ${e.source})`;
      if (!found.includes(line)) found.push(line);
    }
  }
  return [
    `Reference:  ${record.id}`,
    `Subject:    ${oneLine(record.subject)}`,
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
  ];
}

/** One notice for one or several held messages of the same sender. */
export function holdNoticeText(records: QuarantineRecord | readonly QuarantineRecord[], opts: NoticeOptions): string {
  const list = Array.isArray(records) ? records : [records as QuarantineRecord];
  const intro =
    list.length === 1
      ? [
          'Your message has not been delivered yet: it was held for review because it appears to contain personal data',
          'that its recipients should not receive.',
        ]
      : [
          `${list.length} of your messages have not been delivered yet: they were held for review because they appear to`,
          'contain personal data that their recipients should not receive.',
        ];
  const sections = list.flatMap((r, i) => [
    ...(list.length > 1 ? ['', `--- Message ${i + 1} of ${list.length} ---`] : []),
    '',
    ...messageSection(r, opts),
  ]);
  return [
    ...intro,
    ...sections,
    '',
    'An administrator reviews every request. If a message went to the wrong recipient or carries the wrong',
    'attachment, do nothing with it and send a corrected message instead.',
    '',
    '-- postguard',
  ].join('\n');
}

/** The notice as raw RFC 5322 bytes. */
export function buildHoldNotice(
  records: QuarantineRecord | readonly QuarantineRecord[],
  opts: NoticeOptions,
): Promise<Buffer> {
  const list = Array.isArray(records) ? records : [records as QuarantineRecord];
  const first = list[0]!;
  const composer = new MailComposer({
    from: opts.from,
    to: first.envelope.mailFrom,
    subject:
      list.length === 1
        ? `Message held for review (ref ${first.id})`
        : `${list.length} messages held for review (refs ${list.map((r) => r.id).join(', ')})`,
    text: holdNoticeText(list, opts),
    date: opts.now ?? new Date(),
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Postguard-Ref': list.map((r) => r.id).join(' '),
    },
  });
  return new Promise((resolve, reject) => composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf))));
}

export async function sendHoldNotice(
  upstream: Upstream,
  records: QuarantineRecord | readonly QuarantineRecord[],
  opts: NoticeOptions,
): Promise<DeliveryResult> {
  const list = Array.isArray(records) ? records : [records as QuarantineRecord];
  const raw = await buildHoldNotice(list, opts);
  return upstream.send({ mailFrom: '', rcptTo: [list[0]!.envelope.mailFrom] }, raw, { id: `${list[0]!.id}.notice` });
}

/**
 * For the relay, after a durable hold (and after the client got its 250): notify the sender when due.
 * `records`: one hold, or several of the same sender (batched). Never throws; returns whether a notice was
 * accepted upstream.
 */
export async function notifyHold(
  upstream: Upstream,
  records: QuarantineRecord | readonly QuarantineRecord[],
  opts: NoticeOptions & { logger?: Logger },
): Promise<boolean> {
  const due = (Array.isArray(records) ? records : [records as QuarantineRecord]).filter((r) =>
    shouldNotifySender(r, { from: opts.from }),
  );
  if (!due.length) return false;
  const ids = due.map((r) => r.id);
  const to = maskAddress(due[0]!.envelope.mailFrom);
  try {
    const result = await sendHoldNotice(upstream, due, opts);
    if (result.status !== 'sent') {
      opts.logger?.warn({ id: ids[0], ids, code: result.code, to }, 'hold notice not accepted upstream');
      return false;
    }
    opts.logger?.info({ id: ids[0], ids, to }, 'hold notice sent');
    return true;
  } catch (err) {
    opts.logger?.warn({ id: ids[0], ids, err: err instanceof Error ? err.message : String(err) }, 'hold notice failed');
    return false;
  }
}
