/**
 * Legacy charsets (issue 17, class 11): a customer's name, street and email written in each charset mail still
 * uses, in a text body, an HTML body that declares its charset only in <meta>, the Subject and an X- header
 * (RFC 2047), raw 8-bit headers, an attachment name (RFC 2231 filename*=) and a text attachment — decoded
 * before matching, found by detect().
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import Encoding from 'encoding-japanese';
import type { Finding, ParsedMessage } from '../../src/core/types.js';
import { detect } from '../../src/detect/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { parseMessage } from '../../src/parse/index.js';
import { decodeWords } from '../../src/parse/charset.js';
import { removeDir, tempDir, writeCsv } from '../directory/helpers.js';

interface Sample {
  charset: string;
  name: string;
  street: string;
}

/** One customer per charset, written in that charset's script. */
const SAMPLES: Sample[] = [
  { charset: 'ISO-8859-1', name: 'Jürgen Weißmüller', street: 'Gartenstraße 5' },
  { charset: 'ISO-8859-2', name: 'Łukasz Wójcik', street: 'ul. Żółkiewskiego 12' },
  { charset: 'ISO-8859-3', name: 'Ġużeppi Żammit', street: 'Triq Ħal Far 3' },
  { charset: 'ISO-8859-4', name: 'Jānis Bērziņš', street: 'Rīgas iela 7' },
  { charset: 'ISO-8859-5', name: 'Иван Петров', street: 'ул. Ленина 10' },
  { charset: 'ISO-8859-6', name: 'محمد علي', street: 'شارع النيل 4' },
  { charset: 'ISO-8859-7', name: 'Γιώργος Παπαδόπουλος', street: 'Οδός Ερμού 8' },
  { charset: 'ISO-8859-8', name: 'דוד כהן', street: 'רחוב הרצל 15' },
  { charset: 'ISO-8859-9', name: 'Ayşe Yılmaz', street: 'Atatürk Caddesi 21' },
  { charset: 'ISO-8859-10', name: 'Áslaug Þórsdóttir', street: 'Laugavegur 30' },
  { charset: 'ISO-8859-11', name: 'สมชาย ใจดี', street: 'ถนนสุขุมวิท 55' },
  { charset: 'ISO-8859-13', name: 'Rūta Šimkutė', street: 'Gedimino prospektas 9' },
  { charset: 'ISO-8859-14', name: 'Siân Ŵatkins', street: 'Heol y Frenhines 2' },
  { charset: 'ISO-8859-15', name: 'Zoé Lœuvre', street: 'Rue de la Paix 6' },
  { charset: 'ISO-8859-16', name: 'Ștefan Țurcanu', street: 'Strada Mării 14' },
  { charset: 'windows-1250', name: 'Jiří Dvořák', street: 'Náměstí Míru 3' },
  { charset: 'windows-1251', name: 'Ольга Смирнова', street: 'ул. Тверская 12' },
  { charset: 'windows-1252', name: 'François Lefèvre', street: 'Rue Saint-Honoré 18' },
  { charset: 'windows-1253', name: 'Νίκος Κωνσταντίνου', street: 'Οδός Αθηνάς 5' },
  { charset: 'windows-1254', name: 'Çağrı Öztürk', street: 'İstiklal Caddesi 40' },
  { charset: 'windows-1255', name: 'שרה לוי', street: 'רחוב יפו 22' },
  { charset: 'windows-1256', name: 'فاطمة حسن', street: 'شارع الجمهورية 9' },
  { charset: 'windows-1257', name: 'Ilze Kalniņa', street: 'Brīvības iela 88' },
  // windows-1258 writes Vietnamese tones as combining marks (ư + U+0301), as Vietnamese Windows mail did
  { charset: 'windows-1258', name: 'Lê Văn Đư\u0301c', street: 'Đươ\u0300ng Lê Lơ\u0323i 12' },
  { charset: 'KOI8-R', name: 'Сергей Иванов', street: 'ул. Пушкина 3' },
  { charset: 'KOI8-U', name: 'Олексій Ґонта', street: 'вул. Хрещатик 22' },
  { charset: 'ISO-2022-JP', name: '山田 太郎', street: '千代田区丸の内 1' },
  { charset: 'Shift_JIS', name: '佐藤 花子', street: '港区六本木 6' },
  { charset: 'EUC-JP', name: '鈴木 一郎', street: '中央区銀座 4' },
  { charset: 'GB2312', name: '王 小明', street: '长安街 10' },
  { charset: 'GBK', name: '李 丽华', street: '南京路 88' },
  { charset: 'GB18030', name: '张 伟', street: '中山路 5' },
  { charset: 'Big5', name: '陳 大文', street: '忠孝東路 100' },
  { charset: 'EUC-KR', name: '김 민준', street: '세종대로 110' },
];

function encode(text: string, charset: string): Buffer {
  if (charset === 'ISO-2022-JP')
    return Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' }));
  const b = iconv.encode(text, charset);
  // the sample must survive the round trip, or the test would test nothing
  expect(iconv.decode(b, charset)).toBe(text);
  return b;
}

const b64 = (b: Buffer): string => b.toString('base64').replace(/.{1,76}/g, '$&\r\n');
const word = (text: string, charset: string): string => `=?${charset}?B?${encode(text, charset).toString('base64')}?=`;
const pct = (b: Buffer): string => [...b].map((x) => '%' + x.toString(16).toUpperCase().padStart(2, '0')).join('');

const emailOf = (i: number): string => `kunde${i}@example.net`;

/** A multipart message: text body (8bit), HTML body with only <meta charset>, encoded-word Subject and X- header, RFC 2231 file name, CSV. */
function multipart(s: Sample, i: number): Buffer {
  const cs = s.charset;
  const body = `Customer: ${s.name}\r\nAddress: ${s.street}\r\nMail: ${emailOf(i)}\r\n`;
  const html = `<html><head><meta charset="${cs}"></head><body><p>${s.name}</p><p>${s.street}</p></body></html>`;
  const csv = `name;street;email\r\n${s.name};${s.street};${emailOf(i)}\r\n`;
  const transfer = cs === 'ISO-2022-JP' ? '7bit' : '8bit';
  const head = [
    'From: Support <agent@shop.example>',
    `To: someone${i}@elsewhere.example`,
    `Subject: ${word(`Order for ${s.name}`, cs)}`,
    `X-Customer: ${word(s.name, cs)}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    `Content-Type: text/plain; charset=${cs}`,
    `Content-Transfer-Encoding: ${transfer}`,
    '',
  ].join('\r\n');
  return Buffer.concat([
    Buffer.from(head + '\r\n', 'latin1'),
    encode(body, cs),
    Buffer.from(
      [
        '',
        '--b1',
        'Content-Type: text/html', // no charset: only the <meta> says it
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: inline',
        '',
        b64(encode(html, cs)),
        '--b1',
        `Content-Type: text/csv; charset=${cs}`,
        'Content-Transfer-Encoding: base64',
        `Content-Disposition: attachment; filename*=${cs}''${pct(encode(s.name, cs))}.csv`,
        '',
        b64(encode(csv, cs)),
        '--b1--',
        '',
      ].join('\r\n'),
      'latin1',
    ),
  ]);
}

/** A single-part message with raw 8-bit headers in the body's charset (old clients). */
function raw8bit(s: Sample, i: number): Buffer {
  const cs = s.charset;
  return Buffer.concat([
    Buffer.from('From: agent@shop.example\r\nTo: x@elsewhere.example\r\nSubject: ', 'latin1'),
    encode(`Re: ${s.name}`, cs),
    Buffer.from('\r\nX-Customer-Street: ', 'latin1'),
    encode(s.street, cs),
    Buffer.from(
      `\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset="${cs}"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
      'latin1',
    ),
    encode(`${emailOf(i)}\r\n`, cs),
  ]);
}

function textOf(p: ParsedMessage, pred: (source: string) => boolean): string {
  return p.segments
    .filter((s) => pred(s.source))
    .map((s) => s.text)
    .join('\n')
    .normalize('NFC');
}

describe('legacy charsets through parse + detect', () => {
  let tmp: string;
  let dir: Directory;

  beforeAll(async () => {
    tmp = await tempDir('pg-charset-');
    const rows = SAMPLES.map((s, i) => ({
      customer_id: `K${i}`,
      full_name: s.name.normalize('NFC'),
      email: emailOf(i),
    }));
    const file = await writeCsv(tmp, 'c.csv', rows, ['customer_id', 'full_name', 'email']);
    dir = await openDirectory({ dataDir: join(tmp, 'data'), secret: 'charset-secret-0123456789' });
    await dir.import(file);
  });
  afterAll(async () => {
    await dir?.close();
    await removeDir(tmp);
  });

  const found = (p: ParsedMessage, kind: string, customer: string, where: RegExp): Finding[] =>
    detect(p, { mailFrom: 'agent@shop.example', rcptTo: ['x@elsewhere.example'] }, dir, {
      internalDomains: ['shop.example'],
    }).findings.filter((f) => f.kind === kind && f.customers.includes(customer) && where.test(f.source));

  it.each(SAMPLES.map((s, i) => [s.charset, s, i] as const))(
    '%s: body, <meta> HTML, Subject, X- header, file name and CSV',
    async (_cs, s, i) => {
      const p = await parseMessage(multipart(s, i));
      expect(p.unscannable).toEqual([]);
      const name = s.name.normalize('NFC');
      const street = s.street.normalize('NFC');
      expect(p.subject.normalize('NFC')).toBe(`Order for ${name}`);
      expect(textOf(p, (x) => x === 'header:x-customer')).toBe(name);
      expect(textOf(p, (x) => x === 'body:text')).toContain(street);
      expect(textOf(p, (x) => x === 'body:html')).toContain(street);
      expect(p.attachments.map((a) => a.filename.normalize('NFC'))).toEqual([`${name}.csv`]);
      expect(textOf(p, (x) => x.startsWith('attachment:') && !x.endsWith(':filename'))).toContain(
        `${name};${street};${emailOf(i)}`,
      );
      for (const where of [/^subject$/, /^header:x-customer$/, /^body:text$/, /^body:html$/, /:filename$/, /\.csv$/]) {
        expect(found(p, 'full_name', `K${i}`, where), `name in ${String(where)}`).not.toHaveLength(0);
      }
      expect(found(p, 'email', `K${i}`, /^body:text$/)).toHaveLength(1);
    },
  );

  it.each(SAMPLES.map((s, i) => [s.charset, s, i] as const))(
    '%s: raw 8-bit Subject and X- header in the declared charset',
    async (_cs, s, i) => {
      const p = await parseMessage(raw8bit(s, i));
      expect(p.subject.normalize('NFC')).toBe(`Re: ${s.name.normalize('NFC')}`);
      expect(textOf(p, (x) => x === 'header:x-customer-street')).toBe(s.street.normalize('NFC'));
      expect(found(p, 'full_name', `K${i}`, /^subject$/)).not.toHaveLength(0);
      expect(found(p, 'email', `K${i}`, /^body:text$/)).toHaveLength(1);
    },
  );

  it('a CSV attachment in windows-1252 without a declared charset is read as windows-1252', async () => {
    const csv = iconv.encode('name;city\r\nFrançois Lefèvre;Besançon\r\n', 'windows-1252');
    const p = await parseMessage(
      Buffer.concat([
        Buffer.from(
          'From: a@shop.example\r\nTo: x@elsewhere.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=list.csv\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
            b64(csv) +
            '--b--\r\n',
          'latin1',
        ),
      ]),
    );
    expect(textOf(p, (x) => x === 'attachment:list.csv')).toContain('François Lefèvre;Besançon');
    expect(found(p, 'full_name', 'K17', /^attachment:list\.csv$/)).toHaveLength(1);
  });

  it('joins adjacent encoded words of one charset before decoding, so a character split between them stays whole', () => {
    const bytes = iconv.encode('佐藤 花子', 'Shift_JIS');
    const a = bytes.subarray(0, 3); // cuts the second character in half
    const b = bytes.subarray(3);
    expect(decodeWords(`=?Shift_JIS?B?${a.toString('base64')}?= =?Shift_JIS?B?${b.toString('base64')}?=`)).toBe(
      '佐藤 花子',
    );
    // different charsets are decoded each on its own
    expect(decodeWords(`${word('Łukasz', 'ISO-8859-2')} ${word('Müller', 'ISO-8859-1')}`)).toBe('ŁukaszMüller');
  });
});
