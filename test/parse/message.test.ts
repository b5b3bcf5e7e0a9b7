import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/parse/index.js';
import type { ParsedMessage, TextSegment } from '../../src/core/types.js';
import { compose, rawMail } from './fixtures.js';

function seg(p: ParsedMessage, source: string): TextSegment {
  const s = p.segments.find((x) => x.source === source);
  if (!s) throw new Error(`no segment ${source}; have ${p.segments.map((x) => x.source).join(', ')}`);
  return s;
}

describe('parseMessage: headers', () => {
  it('decodes UTF-8 B and Q encoded-word subjects', async () => {
    const b = await parseMessage(
      rawMail(['From: a@shop.example', 'Subject: =?UTF-8?B?QmVzdGVsbHVuZyBKw7xyZ2Vu?='], 'x'),
    );
    expect(b.subject).toBe('Bestellung Jürgen');
    expect(seg(b, 'subject')).toMatchObject({ location: 'subject', text: 'Bestellung Jürgen' });
    const q = await parseMessage(
      rawMail(['From: a@shop.example', 'Subject: =?UTF-8?Q?Caf=C3=A9_M=C3=BCller?= =?UTF-8?Q?_ok?= tail'], 'x'),
    );
    expect(seg(q, 'subject').text).toBe('Café Müller ok tail');
  });

  it('gives display names as header segments and canonical addresses', async () => {
    const p = await parseMessage(
      rawMail(
        [
          'From: =?UTF-8?Q?J=C3=BCrgen_Support?= <Support@SHOP.example>',
          'To: "Doe, John" <John.Doe@Example.COM>, Jane Roe <jane@b\u00fccher.example>',
          'Cc: team: Max Mustermann <max@example.org>, plain@example.org;',
          'Reply-To: Help Desk <help@shop.example>',
          'Subject: hi',
        ],
        'body',
      ),
    );
    expect(p.from).toEqual([{ address: 'support@shop.example', name: 'Jürgen Support' }]);
    expect(p.to).toEqual([
      { address: 'john.doe@example.com', name: 'Doe, John' },
      { address: 'jane@xn--bcher-kva.example', name: 'Jane Roe' },
    ]);
    expect(p.cc.map((a) => a.address)).toEqual(['max@example.org', 'plain@example.org']);
    expect(p.replyTo[0]!.address).toBe('help@shop.example');
    expect(seg(p, 'header:to:display-name')).toMatchObject({ location: 'header', text: 'Doe, John\nJane Roe' });
    expect(seg(p, 'header:from:display-name').text).toBe('Jürgen Support');
    expect(seg(p, 'header:cc:display-name').text).toBe('team\nMax Mustermann');
    expect(seg(p, 'header:reply-to:display-name').text).toBe('Help Desk');
    expect(p.headers.get('subject')).toEqual(['hi']);
    expect(p.headers.get('to')![0]).toContain('Jane Roe');
  });

  it('keeps every occurrence of a repeated header and decodes header values', async () => {
    const p = await parseMessage(
      rawMail(
        [
          'From: a@shop.example',
          'To: one@example.com',
          'To: two@example.com',
          'X-Note: =?ISO-8859-1?Q?Gr=FC=DFe?=',
          ' folded',
        ],
        'x',
      ),
    );
    expect(p.to.map((a) => a.address)).toEqual(['one@example.com', 'two@example.com']);
    expect(p.headers.get('x-note')).toEqual(['Grüße folded']);
  });

  it('reports an address it cannot parse as an empty address', async () => {
    const p = await parseMessage(rawMail(['From: a@shop.example', 'To: Someone <not-an-address>'], 'x'));
    expect(p.to).toEqual([{ address: '', name: 'Someone' }]);
  });
});

describe('parseMessage: bodies', () => {
  it('scans both alternatives of a text+html mail', async () => {
    const raw = await compose({
      text: 'Plain part for John Doe',
      html: '<p>Html part with <b>IMEI</b>&nbsp;356938035643809</p>',
    });
    const p = await parseMessage(raw);
    expect(seg(p, 'body:text')).toMatchObject({ location: 'body', text: 'Plain part for John Doe' });
    expect(seg(p, 'body:html')).toMatchObject({ location: 'body', text: 'Html part with IMEI 356938035643809' });
    expect(p.unscannable).toEqual([]);
  });

  it('converts an HTML-only mail', async () => {
    const p = await parseMessage(await compose({ html: '<div>Call +49 30 1234567</div><script>var x=1</script>' }));
    expect(p.segments.filter((s) => s.location === 'body')).toHaveLength(1);
    expect(seg(p, 'body:html').text).toBe('Call +49 30 1234567');
  });

  it('decodes base64 and quoted-printable bodies', async () => {
    const b64 = Buffer.from('Order 4711 for jürgen@example.com', 'utf8').toString('base64');
    const p1 = await parseMessage(
      rawMail(
        ['From: a@shop.example', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'],
        b64,
      ),
    );
    expect(seg(p1, 'body:text').text).toBe('Order 4711 for jürgen@example.com');
    const qp = 'Stra=C3=9Fe 12, 10115 Berlin, a very long line that is soft-=\r\nbroken here';
    const p2 = await parseMessage(
      rawMail(
        [
          'From: a@shop.example',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: quoted-printable',
        ],
        qp,
      ),
    );
    expect(seg(p2, 'body:text').text).toBe('Straße 12, 10115 Berlin, a very long line that is soft-broken here');
  });

  it('decodes ISO-8859-1 and Shift_JIS bodies', async () => {
    const latin = Buffer.from('M\xfcller Stra\xdfe', 'latin1');
    const p1 = await parseMessage(
      rawMail(['From: a@shop.example', 'Content-Type: text/plain; charset=ISO-8859-1'], latin),
    );
    expect(seg(p1, 'body:text').text).toBe('Müller Straße');
    const sjis = Buffer.from([0x8e, 0x52, 0x93, 0x63, 0x91, 0xbe, 0x98, 0x59]); // 山田太郎
    const p2 = await parseMessage(
      rawMail(
        [
          'From: a@shop.example',
          'Subject: =?Shift_JIS?B?' + sjis.toString('base64') + '?=',
          'Content-Type: text/plain; charset=Shift_JIS',
        ],
        sjis,
      ),
    );
    expect(seg(p2, 'body:text').text).toBe('山田太郎');
    expect(p2.subject).toBe('山田太郎');
    const koi = Buffer.from([0xe9, 0xd7, 0xc1, 0xce]); // Иван in KOI8-R
    const p3 = await parseMessage(rawMail(['From: a@shop.example', 'Content-Type: text/html; charset=koi8-r'], koi));
    expect(seg(p3, 'body:html').text).toBe('Иван');
  });

  it('never throws on garbage and reports what it cannot read', async () => {
    for (let i = 0; i < 30; i++) {
      const junk = Buffer.alloc(2000 + i * 97);
      for (let j = 0; j < junk.length; j++) junk[j] = ((j * 7919 + i * 104729) & 0xff) ^ (j >> 3);
      const p = await parseMessage(junk);
      expect(Array.isArray(p.segments)).toBe(true);
    }
    const empty = await parseMessage(Buffer.alloc(0));
    expect(empty.segments).toEqual([]);
    const broken = await parseMessage(
      rawMail(
        ['From: a@shop.example', 'Content-Type: multipart/mixed; boundary="b"'],
        '--b\r\nContent-Type: text/plain\r\n\r\nhello john\r\n--b\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64',
      ),
    );
    expect(seg(broken, 'body:text').text).toContain('hello john');
    expect(broken.unscannable.some((u) => u.source === 'attachment:x.pdf' && u.reason === 'extract-error')).toBe(true);
  });

  it('indexes segments in order', async () => {
    const p = await parseMessage(await compose({ text: 'a https://x.example/p/1?q=2', html: '<p>b</p>' }));
    p.segments.forEach((s, i) => expect(s.index).toBe(i));
  });
});
