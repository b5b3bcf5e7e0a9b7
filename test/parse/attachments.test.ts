import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/parse/index.js';
import type { ParsedMessage, TextSegment } from '../../src/core/types.js';
import { compose, makeDocx, makePdf, makeXlsx, makeZip } from './fixtures.js';

function seg(p: ParsedMessage, source: string): TextSegment {
  const s = p.segments.find((x) => x.source === source);
  if (!s) throw new Error(`no segment ${source}; have ${p.segments.map((x) => x.source).join(', ')}`);
  return s;
}

const CSV = 'customer_id,name,email\n1,John Doe,john@example.com\n2,Jane Roe,jane@example.org\n';
const ICS =
  'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Repair appointment for Max Muster\r\n' +
  'DESCRIPTION:Customer phone +49 30 1234\r\n 567\\, address Hauptstr. 5\\nBerlin\r\n' +
  'ATTENDEE;CN=Max:mailto:max@exam\r\n ple.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
const VCF =
  'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Roe;Jane\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BC=\r\nller\r\n' +
  'EMAIL:jane@example.org\r\nEND:VCARD\r\n';

describe('attachments', () => {
  it('reads CSV, ICS and VCF as text, with unfolding and escapes undone', async () => {
    const p = await parseMessage(
      await compose({
        text: 'see attached',
        attachments: [
          { filename: 'list.csv', content: CSV, contentType: 'text/csv' },
          { filename: 'invite.ics', content: ICS, contentType: 'text/calendar; method=REQUEST' },
          { filename: 'jane.vcf', content: VCF, contentType: 'text/vcard' },
        ],
      }),
    );
    expect(seg(p, 'attachment:list.csv')).toMatchObject({
      location: 'attachment',
      text: CSV,
      attachment: { filename: 'list.csv', contentType: 'text/csv' },
    });
    const ics = seg(p, 'attachment:invite.ics').text;
    expect(ics).toContain('Customer phone +49 30 1234567, address Hauptstr. 5\nBerlin');
    expect(ics).toContain('mailto:max@example.org');
    const vcf = seg(p, 'attachment:jane.vcf').text;
    expect(vcf).toContain('Jürgen Müller');
    expect(vcf).toContain('jane@example.org');
    expect(p.attachments.map((a) => a.source)).toEqual(['list.csv', 'invite.ics', 'jane.vcf']);
    expect(p.unscannable).toEqual([]);
  });

  it('decodes a text attachment in its declared charset', async () => {
    const p = await parseMessage(
      await compose({
        attachments: [
          {
            filename: 'note.txt',
            content: Buffer.from('Gr\xfc\xdfe M\xfcller', 'latin1'),
            contentType: 'text/plain; charset=iso-8859-1',
          },
        ],
      }),
    );
    expect(seg(p, 'attachment:note.txt').text).toBe('Grüße Müller');
  });

  it('extracts PDF text from every page', async () => {
    const p = await parseMessage(
      await compose({
        attachments: [{ filename: 'invoice.pdf', content: makePdf(['Invoice for John Doe', 'IMEI 356938035643809']) }],
      }),
    );
    const s = seg(p, 'attachment:invoice.pdf');
    expect(s.text).toContain('Invoice for John Doe');
    expect(s.text).toContain('IMEI 356938035643809');
    expect(s.attachment).toEqual({ filename: 'invoice.pdf', contentType: 'application/pdf' });
    expect(p.unscannable).toEqual([]);
  });

  it('extracts DOCX and XLSX text', async () => {
    const xlsx = await makeXlsx({
      Customers: [
        ['Name', 'Email'],
        ['John Doe', 'john@example.com'],
      ],
      Orders: [['A-1001', 42]],
    });
    const p = await parseMessage(
      await compose({
        attachments: [
          { filename: 'letter.docx', content: makeDocx(['Dear Jane Roe,', 'your card 4111 1111 1111 1111']) },
          { filename: 'export.xlsx', content: xlsx },
        ],
      }),
    );
    const docx = seg(p, 'attachment:letter.docx').text;
    expect(docx).toContain('Dear Jane Roe,');
    expect(docx).toContain('your card 4111 1111 1111 1111');
    expect(seg(p, 'attachment:export.xlsx').text).toBe('Name\tEmail\nJohn Doe\tjohn@example.com\n\nA-1001\t42');
    expect(p.unscannable).toEqual([]);
  });

  it('parses a nested message/rfc822 with its own source prefix', async () => {
    const inner = await compose({
      from: 'Jane Roe <jane@example.org>',
      to: 'Support <support@shop.example>',
      subject: 'My order A-1001',
      text: 'Please ship to Hauptstr. 5, see https://track.example/p/A-1001?zip=10115',
      html: '<p>html of inner</p>',
      attachments: [{ filename: 'receipt.csv', content: 'jane@example.org,A-1001\n' }],
    });
    const p = await parseMessage(
      await compose({
        text: 'forwarding',
        attachments: [{ filename: 'fwd.eml', content: inner, contentType: 'message/rfc822' }],
      }),
    );
    expect(seg(p, 'attachment:fwd.eml/subject')).toMatchObject({ location: 'attachment', text: 'My order A-1001' });
    expect(seg(p, 'attachment:fwd.eml/header:from')).toMatchObject({
      location: 'attachment',
      text: 'Jane Roe <jane@example.org>',
    });
    expect(seg(p, 'attachment:fwd.eml/body:text').text).toContain('Hauptstr. 5');
    expect(seg(p, 'attachment:fwd.eml/body:html').text).toBe('html of inner');
    expect(seg(p, 'attachment:fwd.eml/receipt.csv')).toMatchObject({
      location: 'attachment',
      text: 'jane@example.org,A-1001\n',
    });
    expect(seg(p, 'attachment:fwd.eml/link:query:zip')).toMatchObject({
      location: 'link',
      linkPart: 'query',
      text: '10115',
    });
    expect(p.attachments.map((a) => a.source)).toEqual(['fwd.eml', 'fwd.eml/receipt.csv']);
    // the nested message's headers are not the top-level message's
    expect(p.subject).toBe('Test');
    expect(p.from[0]!.address).toBe('support@shop.example');
  });

  it('opens ZIP archives and ZIPs inside ZIPs', async () => {
    const inner = makeZip({ 'deep/list.csv': CSV, 'letter.docx': makeDocx(['inner docx John Doe']) });
    const zip = makeZip({
      'export/a.txt': 'plain john@example.com',
      'invoice.pdf': makePdf(['pdf in zip Jane Roe']),
      'inner.zip': inner,
      'photo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]),
      'contact.vcf': VCF,
    });
    const p = await parseMessage(await compose({ attachments: [{ filename: 'export.zip', content: zip }] }));
    expect(seg(p, 'attachment:export.zip/export/a.txt').text).toBe('plain john@example.com');
    expect(seg(p, 'attachment:export.zip/invoice.pdf').text).toContain('pdf in zip Jane Roe');
    expect(seg(p, 'attachment:export.zip/inner.zip/deep/list.csv').text).toBe(CSV);
    expect(seg(p, 'attachment:export.zip/inner.zip/letter.docx').text).toContain('inner docx John Doe');
    expect(seg(p, 'attachment:export.zip/contact.vcf').text).toContain('Jürgen Müller');
    expect(p.attachments.map((a) => a.source).sort()).toEqual(
      [
        'export.zip',
        'export.zip/export/a.txt',
        'export.zip/invoice.pdf',
        'export.zip/inner.zip',
        'export.zip/inner.zip/deep/list.csv',
        'export.zip/inner.zip/letter.docx',
        'export.zip/photo.png',
        'export.zip/contact.vcf',
      ].sort(),
    );
    expect(p.unscannable).toEqual([]);
  });

  it('decides by magic bytes and extension, not only the declared type', async () => {
    const p = await parseMessage(
      await compose({
        attachments: [
          { filename: 'scan.bin', content: makePdf(['magic pdf text']), contentType: 'application/octet-stream' },
          { filename: 'data.csv', content: 'a,b\nJohn,Doe\n', contentType: 'application/octet-stream' },
          { filename: 'fake.png', content: makeZip({ 'x.txt': 'zip posing as image' }), contentType: 'image/png' },
          {
            filename: 'mail.eml',
            content: 'From: a@b.example\r\nSubject: inner\r\n\r\nbody\r\n',
            contentType: 'application/octet-stream',
          },
          {
            filename: 'logo.png',
            content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
            contentType: 'image/png',
          },
          {
            filename: 'old.doc',
            content: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
            contentType: 'application/msword',
          },
        ],
      }),
    );
    expect(seg(p, 'attachment:scan.bin').text).toContain('magic pdf text');
    expect(seg(p, 'attachment:data.csv').text).toBe('a,b\nJohn,Doe\n');
    expect(seg(p, 'attachment:fake.png/x.txt').text).toBe('zip posing as image');
    expect(seg(p, 'attachment:mail.eml/body:text').text).toBe('body\n');
    // an image has no text: only its file name is scanned
    expect(p.segments.filter((s) => s.source.startsWith('attachment:logo.png')).map((s) => s.source)).toEqual([
      'attachment:logo.png:filename',
    ]);
    expect(p.attachments.find((a) => a.filename === 'logo.png')).toMatchObject({ contentType: 'image/png', size: 8 });
    expect(p.unscannable).toEqual([
      { source: 'attachment:old.doc', reason: 'unsupported', detail: 'doc: format not readable' },
    ]);
  });

  it('reports encrypted mail parts and formats it cannot read', async () => {
    const p = await parseMessage(
      await compose({
        attachments: [
          {
            filename: 'smime.p7m',
            content: Buffer.from([0x30, 0x82, 1, 2, 3]),
            contentType: 'application/pkcs7-mime; smime-type=enveloped-data',
          },
          {
            filename: 'msg.asc',
            content: '-----BEGIN PGP MESSAGE-----\n\nhQEMA...\n-----END PGP MESSAGE-----\n',
            contentType: 'application/octet-stream',
          },
          {
            filename: 'winmail.dat',
            content: Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0, 1]),
            contentType: 'application/ms-tnef',
          },
        ],
      }),
    );
    expect(p.unscannable.map((u) => [u.source, u.reason])).toEqual([
      ['attachment:smime.p7m', 'encrypted'],
      ['attachment:msg.asc', 'encrypted'],
      ['attachment:winmail.dat', 'unsupported'],
    ]);
  });

  it('scans links in HTML attachments', async () => {
    const p = await parseMessage(
      await compose({
        attachments: [
          { filename: 'page.html', content: '<p>Hi</p><a href="https://x.example/u?email=a%40b.example">x</a>' },
        ],
      }),
    );
    expect(seg(p, 'attachment:page.html').text).toBe('Hi\nx');
    expect(seg(p, 'attachment:page.html/link:query:email')).toMatchObject({ location: 'link', text: 'a@b.example' });
  });
});
