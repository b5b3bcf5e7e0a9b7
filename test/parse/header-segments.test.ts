import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/parse/index.js';
import { withoutEnvelopeRecipients, envelopeSet } from '../../src/detect/header-recipients.js';
import { rawMail } from './fixtures.js';

const HEAD = [
  'Received: from mx.example (mx.example [192.0.2.1]) by relay.example for <carl@example.net>',
  'DKIM-Signature: v=1; a=rsa-sha256; d=shop.example; b=abc123',
  'Message-ID: <x1@shop.example>',
  'Date: Mon, 1 Jan 2024 10:00:00 +0000',
  'From: Support <agent@shop.example>',
  'To: Anna <anna@example.com>, bob@example.org',
  'Cc: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.de>',
  'Bcc: hidden@example.net',
  'Reply-To: other@example.org',
  'Resent-To: resent@example.org',
  'Subject: Order',
  'Comments: =?ISO-8859-1?Q?R=FCckruf_bei_Gr=E4f?=',
  'Keywords: callback, +49 30 1234567',
  'X-Ticket: ORD-123',
  'List-Unsubscribe: <https://shop.example/unsub?email=anna%40example.com>, <mailto:unsub@shop.example>',
  'X-Postguard-Verdict: tag',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
];

describe('header segments', () => {
  it('scans every received header by name, decoded, and skips trace, ids and our own', async () => {
    const p = await parseMessage(rawMail(HEAD, 'body'));
    const headers = new Map(p.segments.filter((s) => s.location === 'header').map((s) => [s.source, s.text]));
    expect(headers.get('header:comments')).toBe('Rückruf bei Gräf');
    expect(headers.get('header:keywords')).toBe('callback, +49 30 1234567');
    expect(headers.get('header:x-ticket')).toBe('ORD-123');
    expect(headers.get('header:to')).toBe('anna@example.com\nbob@example.org');
    expect(headers.get('header:to:display-name')).toBe('Anna');
    expect(headers.get('header:cc')).toBe('juergen@example.de');
    expect(headers.get('header:cc:display-name')).toBe('Jürgen');
    expect(headers.get('header:bcc')).toBe('hidden@example.net');
    expect(headers.get('header:reply-to')).toBe('other@example.org');
    expect(headers.get('header:resent-to')).toBe('resent@example.org');
    expect(headers.get('header:from')).toBe('agent@shop.example');
    for (const skipped of [
      'received',
      'dkim-signature',
      'message-id',
      'date',
      'subject',
      'x-postguard-verdict',
      'mime-version',
      'content-type',
    ]) {
      expect(headers.has(`header:${skipped}`), skipped).toBe(false);
    }
    // sources carry header names only
    expect(p.segments.every((s) => !s.source.includes('@') && !s.source.includes('ORD-123'))).toBe(true);
    // the URL in List-Unsubscribe is a link like any other
    expect(p.segments.find((s) => s.source === 'link:query:email')).toMatchObject({
      location: 'link',
      text: 'anna@example.com',
    });
  });

  it('headers of a forwarded message are attachment text', async () => {
    const inner = [
      'From: x@example.org',
      'To: y@example.org',
      'X-Customer: Anna Schmidt',
      'Subject: s',
      '',
      'inner',
    ].join('\r\n');
    const p = await parseMessage(
      rawMail(
        ['From: a@shop.example', 'To: b@example.com', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b'],
        `--b\r\nContent-Type: text/plain\r\n\r\nsee below\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n--b--\r\n`,
      ),
    );
    expect(p.segments.find((s) => /^attachment:[^/]+\.eml\/header:x-customer$/.test(s.source))).toMatchObject({
      location: 'attachment',
      text: 'Anna Schmidt',
    });
  });

  it('To/Cc addresses that are envelope recipients are blanked for scanning, offsets kept; others stay', async () => {
    const p = await parseMessage(rawMail(HEAD, 'body'));
    const rcpt = envelopeSet({ mailFrom: 'agent@shop.example', rcptTo: ['Anna@Example.com', 'hidden@example.net'] });
    const to = withoutEnvelopeRecipients(
      p.segments.find((s) => s.source === 'header:to')!,
      rcpt,
    );
    expect(to.text).toBe(' '.repeat('anna@example.com'.length) + '\nbob@example.org');
    // Bcc and Reply-To are shown data even for envelope recipients
    const bcc = p.segments.find((s) => s.source === 'header:bcc')!;
    expect(withoutEnvelopeRecipients(bcc, rcpt)).toBe(bcc);
  });
});
