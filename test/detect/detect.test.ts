import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsedMessage } from './helpers.js';
import type { Finding, ParsedMessage, SegmentLocation, TextSegment } from '../../src/core/types.js';
import { detect } from '../../src/detect/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { customer, removeDir, tempDir, withLuhn, writeCsv } from '../directory/helpers.js';

const ORG = { phone: '+1 (415) 555-9999', street: '1 Infinite Loop', city: 'Cupertino', postal: '95014' };

const ALICE = {
  customer_id: 'CUST-ALICE',
  full_name: 'Alice Zoë Wunderland',
  email: 'Alice.W@example.com',
  phone: '(212) 555-0147',
  street: '42 Baker Street',
  city: 'New York',
  postal_code: '10001',
  country: 'US',
  imei: withLuhn('35209900176148'),
  order_id: 'ORD-2024-0001; INV-77',
  card: '4111 1111 1111 1111',
  ticket: 'TK-9001',
  alias: 'wonderuser',
};
const BOB = {
  customer_id: 'CUST-BOB',
  full_name: 'Bob Müller',
  email: 'bob@kunde.de',
  phone: '030 1234 5678',
  street: 'Hauptstraße 5',
  city: 'Berlin',
  postal_code: '10115',
  country: 'DE',
  imei: withLuhn('49015420323751'),
  order_id: '',
  card: '',
  ticket: '',
};
const CAROL = {
  customer_id: 'CUST-CAROL',
  full_name: 'Carol Brown',
  email: 'carol@bigcorp.example',
  phone: '020 7946 0321',
  street: '42 Baker Street', // same household address as Alice
  city: 'New York',
  postal_code: '10001',
  country: 'GB',
  imei: '',
  order_id: '',
  card: '',
  ticket: '',
};
const HEADER = [
  'customer_id',
  'full_name',
  'email',
  'phone',
  'street',
  'city',
  'postal_code',
  'country',
  'imei',
  'order_id',
  'card',
  'ticket',
  'alias',
];

let seq = 0;
function seg(text: string, location: SegmentLocation = 'body', source = 'body:text'): TextSegment {
  return { index: seq++, location, source, text };
}
function message(segments: TextSegment[], extra: Partial<ParsedMessage> = {}): ParsedMessage {
  return parsedMessage(segments, extra);
}
const ENV = { mailFrom: 'agent@shop.example', rcptTo: ['someone@elsewhere.example'] };

describe('detect', () => {
  let tmp: string;
  let dir: Directory;
  const scan = (text: string, location: SegmentLocation = 'body'): Finding[] =>
    detect(message([seg(text, location)]), ENV, dir, { internalDomains: ['shop.example'] }).findings;

  beforeAll(async () => {
    tmp = await tempDir('pg-detect-');
    // 400 generated customers (shared first names like "Anna"), plus the three above.
    const rows = [...Array.from({ length: 400 }, (_, i) => customer(i)), ALICE, BOB, CAROL];
    const file = await writeCsv(tmp, 'c.csv', rows as unknown as Record<string, string>[], HEADER);
    dir = await openDirectory({
      dataDir: join(tmp, 'data'),
      secret: 'detect-secret-0123456789',
      columns: ['ticket=ticket_id', 'alias=login:strong'],
    });
    const r = await dir.import(file);
    expect(r.invalidValues).toBe(0);
  });
  afterAll(async () => {
    await dir?.close();
    await removeDir(tmp);
  });

  it('stops at the findings limit and marks the rest unscannable (fail closed)', () => {
    const text = Array.from({ length: 200 }, () => 'mail Alice.W@example.com or bob@kunde.de').join('\n');
    const d = detect(message([seg(text)]), ENV, dir, { internalDomains: ['shop.example'], maxFindings: 25 });
    expect(d.findings.length).toBeGreaterThanOrEqual(25);
    expect(d.findings.length).toBeLessThan(40);
    expect(d.unscannable).toEqual([expect.objectContaining({ source: 'detection', reason: 'size-limit' })]);
    const full = detect(message([seg(text)]), ENV, dir, { internalDomains: ['shop.example'] });
    expect(full.findings.length).toBe(400);
    expect(full.unscannable).toEqual([]);
  });

  it('stops at its deadline and marks the message unscannable instead of blocking', () => {
    const text = Array.from(
      { length: 20_000 },
      (_, i) => `line ${i} 12 Main Street Springfield +1 212-555-${String(i % 10000).padStart(4, '0')}`,
    ).join('\n');
    const started = performance.now();
    const d = detect(message([seg(text)]), ENV, dir, { internalDomains: ['shop.example'], timeoutMs: 1 });
    expect(d.unscannable).toEqual([expect.objectContaining({ source: 'detection', reason: 'timeout' })]);
    // generous bound, not a speed claim: it stopped long before scanning all 20,000 lines
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it.each([
    ['email', 'Please contact ALICE.W@Example.com today.', 'ALICE.W@Example.com', 'a•••@example.com'],
    ['phone', 'Call her on +1 212-555-0147 please', '+1 212-555-0147', '+1 212 ••• ••47'],
    ['phone', 'Tel. (212) 555-0147.', '(212) 555-0147', '+1 212 ••• ••47'],
    ['phone', 'Bob: +49 30 12345678', '+49 30 12345678', '+49 301 ••• ••78'],
    ['phone', 'Bob national: 030/1234-5678', '030/1234-5678', '+49 301 ••• ••78'],
    [
      'imei',
      `IMEI ${ALICE.imei.slice(0, 2)}-${ALICE.imei.slice(2, 8)}-${ALICE.imei.slice(8, 14)}-${ALICE.imei.slice(14)} ok`,
      null,
      `${ALICE.imei.slice(0, 2)}•••••••••••${ALICE.imei.slice(-2)}`,
    ],
    ['imei', `IMEI:${ALICE.imei}`, ALICE.imei, null],
    ['card', 'card 4111-1111-1111-1111 expired', '4111-1111-1111-1111', '••••1111'],
    ['order_id', 'your order #ord-2024-0001 shipped', 'ord-2024-0001', 'OR•••01'],
    ['order_id', 'see https://shop.example/invoices/INV-77/pay?x=1', 'INV-77', 'IN•••77'],
    ['ticket_id', 'Re: [TK-9001] your request', 'TK-9001', 'TK•••01'],
    ['login', 'user WonderUser cannot log in', 'WonderUser', 'WO•••ER'],
    ['full_name', 'Dear alice zoe WUNDERLAND,', 'alice zoe WUNDERLAND', 'A••• Z••• W•••'],
    ['full_name', 'Ticket from Bob Mueller? no: Bob Müller wrote', 'Bob Müller', 'B••• M•••'],
  ])('finds %s in %j', (kind, text, found, masked) => {
    const f = scan(text).filter((x) => x.kind === kind);
    expect(f).toHaveLength(1);
    const owner =
      text.toLowerCase().includes('bob') || text.includes('+49') || text.includes('030') ? 'CUST-BOB' : 'CUST-ALICE';
    expect(f[0]!.customers).toEqual([owner]);
    if (found) expect(text.slice(f[0]!.offset, f[0]!.offset + f[0]!.length)).toBe(found);
    if (masked) expect(f[0]!.masked).toBe(masked);
    expect(f[0]!.strength).toBe(kind === 'full_name' ? 'weak' : 'strong');
    expect(f[0]!.location).toBe('body');
  });

  it('address is strong with postal code or city of the same customer nearby, weak alone, shared by a household', () => {
    const strong = scan('Ship to:\nAlice\n42 Baker St.\nNew York, NY 10001').filter((f) => f.kind === 'address');
    expect(strong).toHaveLength(1);
    expect(strong[0]!.strength).toBe('strong');
    expect([...strong[0]!.customers].sort()).toEqual(['CUST-ALICE', 'CUST-CAROL']);
    const de = scan('Lieferadresse: Hauptstrasse 5, 10115 Berlin').filter((f) => f.kind === 'address');
    expect(de.map((f) => [f.customers, f.strength])).toEqual([[['CUST-BOB'], 'strong']]);
    const weak = scan('meet at 42 Baker Street').filter((f) => f.kind === 'address');
    expect(weak.map((f) => f.strength)).toEqual(['weak']);
    // postal code of another customer does not confirm
    const other = scan('Hauptstraße 5, 10001 Springfield').filter((f) => f.kind === 'address');
    expect(other.map((f) => f.strength)).toEqual(['weak']);
  });

  it('no findings in false-positive bait', () => {
    const bait = [
      'Tracking number 1Z999AA10123456784 and 9400 1000 0000 0000 0000 00',
      'Total: $1,234.56 (EUR 2 212.55), due 2024-05-12 at 14:30, 12/05/2024 09:15',
      'Reference 2125550148, ref no. REF2125550147, order 2125550147X',
      `Serial ${ALICE.imei.slice(0, 14)}${(Number(ALICE.imei[14]) + 1) % 10} fails Luhn`,
      `Call us: ${ORG.phone}, visit ${ORG.street}, ${ORG.city} CA ${ORG.postal}`,
      'Hi Anna, thanks! Anna and Bernd from support. Alice will call.',
      'Alice Smith and Mr Wunderland were there; Bob alone too.',
      '4111 1111 1111 1112 is not a card',
      'Baker Street 43 / 42 Baker Road',
    ];
    for (const b of bait) expect(scan(b), b).toEqual([]);
  });

  it('keeps separate findings per location and de-duplicates within a segment', () => {
    const parsed = message([
      seg('Order ORD-2024-0001 for alice.w@example.com', 'subject', 'subject'),
      seg('alice.w@example.com alice.w@example.com', 'body', 'body:text'),
      seg('/orders/ORD-2024-0001', 'link', 'link:path'),
    ]);
    const d = detect(parsed, ENV, dir, { internalDomains: [] });
    const summary = d.findings.map((f) => `${f.kind}@${f.location}:${f.offset}`).sort();
    expect(summary).toEqual([
      'email@body:0',
      'email@body:20',
      'email@subject:24',
      'order_id@link:8',
      'order_id@subject:6',
    ]);
    for (const f of d.findings) expect(f.masked).not.toMatch(/alice\.w|2024-0001/i);
  });

  it('resolves recipients: internal, customers by email, visibility', () => {
    const parsed = message([seg('hello')], {
      to: [{ address: 'alice.w@example.com', name: '' }],
      cc: [{ address: 'bob@kunde.de', name: '' }],
      unscannable: [{ source: 'attachment:x.pdf', reason: 'encrypted', detail: 'pdf: encrypted' }],
    });
    const env = {
      mailFrom: 'agent@shop.example',
      rcptTo: ['<Alice.W@EXAMPLE.com>', 'bob@kunde.de', 'boss@mail.shop.example', 'stranger@else.example'],
    };
    const d = detect(parsed, env, dir, { internalDomains: ['shop.example'] });
    expect(d.recipients).toEqual([
      {
        address: 'alice.w@example.com',
        domain: 'example.com',
        internal: false,
        customers: ['CUST-ALICE'],
        visibleIn: 'to',
      },
      { address: 'bob@kunde.de', domain: 'kunde.de', internal: false, customers: ['CUST-BOB'], visibleIn: 'cc' },
      {
        address: 'boss@mail.shop.example',
        domain: 'mail.shop.example',
        internal: true,
        customers: [],
        visibleIn: 'bcc',
      },
      { address: 'stranger@else.example', domain: 'else.example', internal: false, customers: [], visibleIn: 'bcc' },
    ]);
    expect(d.unscannable).toEqual(parsed.unscannable);
  });

  it('scans a long mixed segment quickly', () => {
    const para = `Hello Anna, your order ORD-${100123} (IMEI ${customer(5).imei}) ships to ${customer(9).street}. Call ${customer(12).phone}. Price $12.99, ref 2024-05-12. `;
    const text = para.repeat(400); // ~60 KB
    const f = scan(text);
    expect(f.filter((x) => x.kind === 'order_id')).toHaveLength(400);
    expect(f.filter((x) => x.kind === 'imei')).toHaveLength(400);
  });
});

describe('detect across messages', () => {
  it('finds a new customer in the next message after an import, although the values were misses before', async () => {
    const tmp = await tempDir('pg-detect-miss-');
    try {
      const dir = await openDirectory({ dataDir: join(tmp, 'data'), secret: 'detect-secret-0123456789' });
      await dir.import(await writeCsv(tmp, 'a.csv', [ALICE] as unknown as Record<string, string>[], HEADER));
      const text = 'Dear Quentin Zabaleta, we will call you on +44 20 7946 0999 or write to quentin@zab.example.';
      const kinds = () =>
        detect(message([seg(text)]), ENV, dir, { internalDomains: ['shop.example'] })
          .findings.map((f) => `${f.kind}:${f.customers.join('+')}`)
          .sort();
      // twice: the second message is answered from the cross-message miss memos
      expect(kinds()).toEqual([]);
      expect(kinds()).toEqual([]);
      const quentin = {
        customer_id: 'CUST-Q',
        full_name: 'Quentin Zabaleta',
        email: 'quentin@zab.example',
        phone: '+44 20 7946 0999',
        country: 'GB',
      };
      await dir.import(await writeCsv(tmp, 'q.csv', [quentin], HEADER), { mode: 'upsert' });
      expect(kinds()).toEqual(['email:CUST-Q', 'full_name:CUST-Q', 'phone:CUST-Q']);
      await dir.close();
    } finally {
      await removeDir(tmp);
    }
  });
});

describe('detect: what it remembers across messages', () => {
  it('keeps none of the messages it scanned alive (only copies of the words it remembers)', async () => {
    // In a child process with --expose-gc: 20 distinct 2 MB messages, each with a long word that is no first name,
    // an address that is no customer's and a hotline number, all remembered as misses across messages. Kept as
    // slices of the message text, those memo keys would hold ~40 MB; the heap must grow by far less.
    const tmp = await tempDir('pg-detect-retain-');
    try {
      const csv = await writeCsv(tmp, 'c.csv', [ALICE] as unknown as Record<string, string>[], HEADER);
      const url = (p: string) => JSON.stringify(pathToFileURL(resolve(p)).href);
      const script = `const { openDirectory } = await import(${url('dist/src/directory/index.js')});
        const { detect } = await import(${url('dist/src/detect/index.js')});
        const dir = await openDirectory({ dataDir: ${JSON.stringify(join(tmp, 'data'))}, secret: 'detect-secret-0123456789' });
        await dir.import(${JSON.stringify(csv)});
        const msg = (text) => ({ subject: '', from: [], to: [], cc: [], bcc: [], replyTo: [], headers: new Map(), attachments: [], unscannable: [], segments: [{ index: 0, location: 'body', source: 'body:text', text }] });
        const env = { mailFrom: 'agent@shop.example', rcptTo: ['someone@elsewhere.example'] };
        globalThis.gc(); globalThis.gc();
        const before = process.memoryUsage().heapUsed;
        let findings = 0;
        for (let i = 0; i < 20; i++) {
          const n = String(i).padStart(2, '0');
          const text = 'Regarding troubleshootingstep' + n + ', write to helpdesk' + n + '@example-support.com or call +1 800 555 01' + n + '. ' + 'lorem '.repeat(350000);
          findings += detect(msg(text), env, dir, { internalDomains: ['shop.example'] }).findings.length;
        }
        globalThis.gc(); globalThis.gc();
        console.log(JSON.stringify({ grownMb: (process.memoryUsage().heapUsed - before) / 1048576, findings }));
        await dir.close();`;
      const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      expect(child.stderr).toBe('');
      const out = JSON.parse(child.stdout) as { grownMb: number; findings: number };
      expect(out.findings).toBe(0);
      expect(out.grownMb).toBeLessThan(8);
    } finally {
      await removeDir(tmp);
    }
  });
});
