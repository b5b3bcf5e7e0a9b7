/**
 * IDN (issue 17, class 6): a Unicode address and its punycode spelling are one recipient and one directory value,
 * on import, in the envelope, in the headers and in text.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsedMessage } from './helpers.js';
import { canonicalAddress } from '../../src/core/address.js';
import type { Envelope, ParsedMessage } from '../../src/core/types.js';
import { detect } from '../../src/detect/index.js';
import { unicodeEmailMatches } from '../../src/detect/email-idn.js';
import { emailMatches } from '../../src/detect/recognizers.js';
import { resolveRecipients } from '../../src/detect/recipients.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { normalizeEmail } from '../../src/directory/normalize.js';
import { removeDir, tempDir, writeCsv } from '../directory/helpers.js';

const ROWS = [
  { customer_id: 'C-JUERGEN', full_name: 'Jürgen Müller', email: 'Jürgen@Müller.de' },
  { customer_id: 'C-BUECHER', full_name: 'Bea Bücher', email: 'info@bücher.example' },
  // stored in its punycode spelling by the CRM
  { customer_id: 'C-BOERSE', full_name: 'Bo Börse', email: 'kontakt@xn--brse-5qa.example' },
  { customer_id: 'C-ZHANG', full_name: 'Zhang Wei', email: '张伟@例子.中国' },
  { customer_id: 'C-PLAIN', full_name: 'Paul Plain', email: 'paul@plain.example' },
];

function message(text: string, to: string[] = [], cc: string[] = []): ParsedMessage {
  const addr = (a: string) => ({ address: canonicalAddress(a) ?? '', name: '' });
  return parsedMessage(text, { to: to.map(addr), cc: cc.map(addr) });
}

describe('normalizeEmail: one canonical form with the envelope parser', () => {
  it.each([
    ['Jürgen@Müller.de', 'jürgen@xn--mller-kva.de'],
    ['jürgen@xn--mller-kva.de', 'jürgen@xn--mller-kva.de'],
    ['JU\u0308RGEN@MU\u0308LLER.DE', 'jürgen@xn--mller-kva.de'], // decomposed ü in local part and domain
    ['info@BÜCHER.example', 'info@xn--bcher-kva.example'],
    ['张伟@例子.中国', '张伟@xn--fsqu00a.xn--fiqs8s'],
    ['  Mary.Major@Example.COM ', 'mary.major@example.com'],
  ])('%s → %s, the same as canonicalAddress', (raw, canonical) => {
    expect(normalizeEmail(raw)).toBe(canonical);
    expect(canonicalAddress(raw.trim())).toBe(canonical);
  });

  it.each(['not an email', '"a@b"@c.example', 'x@[192.0.2.1]', 'x@localhost', 'a@b@c.example', 'x@exa mple.com'])(
    'refuses %j',
    (raw) => {
      expect(normalizeEmail(raw)).toBeNull();
    },
  );
});

describe('IDN recipients and text', () => {
  let tmp: string;
  let dir: Directory;
  const env = (...rcptTo: string[]): Envelope => ({ mailFrom: 'agent@shop.example', rcptTo });

  beforeAll(async () => {
    tmp = await tempDir('pg-idn-');
    const file = await writeCsv(tmp, 'c.csv', ROWS, ['customer_id', 'full_name', 'email']);
    dir = await openDirectory({ dataDir: join(tmp, 'data'), secret: 'idn-secret-0123456789abcdef' });
    const r = await dir.import(file);
    expect(r.invalidValues).toBe(0);
  });
  afterAll(async () => {
    await dir?.close();
    await removeDir(tmp);
  });

  it.each([
    ['jürgen@müller.de', 'C-JUERGEN'],
    ['JÜRGEN@xn--mller-kva.de', 'C-JUERGEN'],
    ['info@xn--bcher-kva.example', 'C-BUECHER'],
    ['info@bücher.example', 'C-BUECHER'],
    ['kontakt@börse.example', 'C-BOERSE'],
    ['张伟@xn--fsqu00a.xn--fiqs8s', 'C-ZHANG'],
  ])('envelope recipient %s resolves to %s', (rcpt, id) => {
    const [r] = resolveRecipients(message('hello'), env(rcpt), dir, ['shop.example']);
    expect(r!.customers).toEqual([id]);
    expect(r!.internal).toBe(false);
  });

  it('a To: header in Unicode and the envelope in punycode are the same visible recipient', () => {
    const [r] = resolveRecipients(message('hello', ['Jürgen@Müller.de']), env('jürgen@xn--mller-kva.de'), dir, [
      'shop.example',
    ]);
    expect(r!.visibleIn).toBe('to');
    const [c] = resolveRecipients(
      message('hello', [], ['kontakt@börse.example']),
      env('kontakt@xn--brse-5qa.example'),
      dir,
      [],
    );
    expect(c!.visibleIn).toBe('cc');
  });

  it.each([
    ['Bitte schreiben Sie an jürgen@müller.de oder rufen Sie an.', 'jürgen@müller.de', 'C-JUERGEN'],
    ['Kontakt: JÜRGEN@MÜLLER.DE.', 'JÜRGEN@MÜLLER.DE', 'C-JUERGEN'],
    ['Bestellung von info@bücher.example (Rechnung folgt)', 'info@bücher.example', 'C-BUECHER'],
    ['<kontakt@börse.example>', 'kontakt@börse.example', 'C-BOERSE'],
    ['punycode in text: kontakt@xn--brse-5qa.example', 'kontakt@xn--brse-5qa.example', 'C-BOERSE'],
    ['联系人：张伟@例子.中国，谢谢', '张伟@例子.中国', 'C-ZHANG'],
  ])('finds the Unicode e-mail in %j as that customer', (text, found, id) => {
    const d = detect(message(text), env('someone@elsewhere.example'), dir, { internalDomains: ['shop.example'] });
    const f = d.findings.filter((x) => x.kind === 'email');
    expect(f).toHaveLength(1);
    expect(f[0]!.customers).toEqual([id]);
    expect(text.slice(f[0]!.offset, f[0]!.offset + f[0]!.length)).toBe(found);
    expect(f[0]!.masked).not.toContain(found.split('@')[0]!.slice(1));
  });

  it("the recipient's own Unicode address in the body is the recipient's own, not foreign", () => {
    const d = detect(message('Ihre Adresse jürgen@müller.de ist bestätigt.'), env('jürgen@xn--mller-kva.de'), dir, {
      internalDomains: [],
    });
    const f = d.findings.find((x) => x.kind === 'email')!;
    expect(f.customers).toEqual(d.recipients[0]!.customers);
  });

  it('ASCII addresses next to non-ASCII text are still found once', () => {
    const d = detect(
      message('Grüße, paul@plain.example — Ärger? mail paul@plain.example。'),
      env('x@elsewhere.example'),
      dir,
      { internalDomains: [] },
    );
    expect(d.findings.filter((x) => x.kind === 'email').map((x) => x.customers[0])).toEqual(['C-PLAIN', 'C-PLAIN']);
  });
});

describe('unicodeEmailMatches', () => {
  it('finds only what the ASCII matcher cannot', () => {
    const text = 'a jürgen@müller.de b paul@plain.example c max@bücher.example d müller@example.com';
    expect([...unicodeEmailMatches(text)].map((m) => m[0])).toEqual([
      'jürgen@müller.de',
      'max@bücher.example',
      'müller@example.com',
    ]);
    expect([...emailMatches(text)].map((m) => m[0])).toEqual(['paul@plain.example', 'ller@example.com']);
  });

  // Quadratic scanning would take minutes on these (the test's own timeout catches it): one attempt per '@'.
  it('gets through a megabyte of Unicode letters and at-signs', () => {
    expect([...unicodeEmailMatches('é@'.repeat(500_000))]).toHaveLength(0);
    expect([...unicodeEmailMatches('ü'.repeat(1_000_000) + '@x.example')]).toHaveLength(0); // local part > 64
    expect([...unicodeEmailMatches(`${'ä.'.repeat(400_000)}@${'ö'.repeat(100_000)}`)]).toHaveLength(0);
    expect([...unicodeEmailMatches('xä@ö.de '.repeat(125_000))]).toHaveLength(125_000);
  });
});

describe('routing tricks in envelope recipients (issue 17, class 9)', () => {
  const dirStub = { lookup: () => [] } as unknown as Directory;
  it.each([
    'someone%evil.example@ourdomain.example',
    'evil.example!someone@ourdomain.example',
    '@a.example:user@ourdomain.example',
    '"a@evil.example"@ourdomain.example',
  ])('%s is external, not internal', (rcpt) => {
    const [r] = resolveRecipients(message('hi'), { mailFrom: 'a@ourdomain.example', rcptTo: [rcpt] }, dirStub, [
      'ourdomain.example',
    ]);
    expect(r!.internal).toBe(false);
  });
  it('a plain address at the own domain is internal', () => {
    const [r] = resolveRecipients(
      message('hi'),
      { mailFrom: 'a@ourdomain.example', rcptTo: ['ops@ourdomain.example'] },
      dirStub,
      ['ourdomain.example'],
    );
    expect(r!.internal).toBe(true);
  });
});
