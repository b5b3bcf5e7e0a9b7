/**
 * Delivery status notification (RFC 3464) for recipients the upstream refused after others were accepted: the
 * client got 250 for the message, so the refused recipients are reported to the sender instead of dropped.
 */
import { randomBytes } from 'node:crypto';

export interface RefusedRecipient {
  address: string;
  code: number;
}

export function buildPartialDsn(opts: {
  id: string;
  hostname: string;
  sender: string;
  refused: RefusedRecipient[];
  date?: Date;
}): Buffer {
  const boundary = `pg-${randomBytes(8).toString('hex')}`;
  const date = (opts.date ?? new Date()).toUTCString().replace('GMT', '+0000');
  const lines = opts.refused.map((r) => `  ${r.address}  (upstream reply ${r.code})`).join('\r\n');
  const perRecipient = opts.refused
    .map((r) =>
      [
        `Final-Recipient: rfc822; ${r.address}`,
        `Action: failed`,
        `Status: ${r.code >= 500 ? '5' : '4'}.0.0`,
        `Diagnostic-Code: smtp; ${r.code}`,
      ].join('\r\n'),
    )
    .join('\r\n\r\n');
  const text = [
    `From: Mail Delivery System <MAILER-DAEMON@${opts.hostname}>`,
    `To: <${opts.sender}>`,
    `Subject: Undelivered recipients for message ${opts.id}`,
    `Date: ${date}`,
    `Message-ID: <${opts.id}.dsn@${opts.hostname}>`,
    `Auto-Submitted: auto-replied`,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    ``,
    `--${boundary}`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    `Your message (reference ${opts.id}) was delivered to its other recipients, but the`,
    `mail server refused these recipients:`,
    ``,
    lines,
    ``,
    `Check the addresses and send the message to them again if needed.`,
    ``,
    `--${boundary}`,
    `Content-Type: message/delivery-status`,
    ``,
    `Reporting-MTA: dns; ${opts.hostname}`,
    `X-Postguard-Id: ${opts.id}`,
    ``,
    perRecipient,
    ``,
    `--${boundary}--`,
    ``,
  ];
  return Buffer.from(lines.length ? text.join('\r\n') : '', 'utf8');
}
