/**
 * Numbers as customer-care mail really carries them: phones of 12 countries in their national and international
 * forms (trunk prefix "(0)", 00 prefix, dots, parentheses, NBSP and thin spaces), payment cards in every grouping,
 * IBANs compact and printed. Each customer's number is stored in one form; every other form must find it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsedMessage } from './helpers.js';
import type { Finding, ParsedMessage, SegmentLocation } from '../../src/core/types.js';
import { detect } from '../../src/detect/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { removeDir, tempDir, withLuhn, writeCsv } from '../directory/helpers.js';

const NBSP = '\u00a0';
const NNBSP = '\u202f';
const THIN = '\u2009';

/** id, country column, phone as stored in the directory (national or international form). */
const PHONES: [string, string, string][] = [
  ['DE-INTL-TRUNK', 'DE', '+49 (0)30 1234567'],
  ['DE-NATIONAL', 'DE', '089 7654321'],
  ['FR-NATIONAL', 'FR', '06 12 34 56 78'],
  ['FR-INTL', 'FR', '+33 (0)7 98 76 54 32'],
  ['TR-NATIONAL', 'TR', '0532 123 45 67'],
  ['TR-INTL', 'TR', '+90 (533) 765 43 21'],
  ['VN-NATIONAL', 'VN', '091 234 5678'],
  ['VN-INTL', 'VN', '+84 987 654 321'],
  ['PL-INTL', 'PL', '+48 601-234-567'],
  ['PL-NATIONAL', 'PL', '502 345 678'],
  ['GB-NATIONAL', 'GB', '020 7946 0958'],
  ['GB-MOBILE-INTL', 'GB', '+44 (0)7700 900123'],
  ['US-NATIONAL', 'US', '(415) 555-0171'],
  ['ES-NATIONAL', 'ES', '612 34 56 78'],
  ['IT-NATIONAL', 'IT', '06 8765 4321'],
  ['IT-MOBILE', 'IT', '+39 347 123 4567'],
  ['PT-NATIONAL', 'PT', '912 345 678'],
  ['BR-NATIONAL', 'BR', '(11) 91234-5678'],
  ['NL-NATIONAL', 'NL', '06-23456789'],
  ['NL-INTL-TRUNK', 'NL', '+31 (0)20 123 4567'],
  ['SE-NATIONAL', 'SE', '070-123 45 67'],
  ['DE-00-US-ROW', 'US', '0049 40 5551234'],
];

const CARD16 = '4539 1488 0343 6467'; // Visa test number
const AMEX = '3782 822463 10005';
const CARD19 = withLuhn('622126000000000000'); // 19 digits (UnionPay length)

const IBANS: [string, string][] = [
  ['IBAN-DE', 'DE89 3704 0044 0532 0130 00'],
  ['IBAN-GB', 'GB29NWBK60161331926819'],
  ['IBAN-NL', 'nl91 abna 0417 1643 00'],
  ['IBAN-FR', 'FR14 2004 1010 0505 0001 3M02 606'],
  ['IBAN-TR', 'TR33 0006 1005 1978 6457 8413 26'],
  ['IBAN-PL', 'PL61 1090 1014 0000 0712 1981 2874'],
  ['IBAN-BR', 'BR97 0036 0305 0000 1000 9795 493P 1'],
];

let seq = 0;
function message(text: string, location: SegmentLocation): ParsedMessage {
  return parsedMessage([{ index: 0, location, source: `${location}:${seq++}`, text }]);
}

describe('numbers in real formats', () => {
  let tmp: string;
  let dir: Directory;
  const scan = (text: string, location: SegmentLocation = 'body'): Finding[] =>
    detect(message(text, location), { mailFrom: 'agent@shop.example', rcptTo: ['x@elsewhere.example'] }, dir, {
      internalDomains: ['shop.example'],
    }).findings;
  const found = (text: string, kind: string, location: SegmentLocation = 'body'): string[] =>
    scan(text, location)
      .filter((f) => f.kind === kind)
      .map((f) => `${f.customers.join('+')}=${text.slice(f.offset, f.offset + f.length)}`);

  beforeAll(async () => {
    tmp = await tempDir('pg-numbers-');
    const rows: Record<string, string>[] = [
      ...PHONES.map(([id, country, phone]) => ({ customer_id: id, country, phone })),
      { customer_id: 'CARD16', card: CARD16 },
      { customer_id: 'AMEX', card: AMEX.replace(/ /g, '') },
      { customer_id: 'CARD19', card: CARD19 },
      ...IBANS.map(([id, iban]) => ({ customer_id: id, iban })),
    ];
    const file = await writeCsv(tmp, 'numbers.csv', rows, ['customer_id', 'country', 'phone', 'card', 'iban']);
    dir = await openDirectory({ dataDir: join(tmp, 'data'), secret: 'numbers-secret-0123456789' });
    const r = await dir.import(file);
    expect(r.invalid).toEqual([]);
    expect(r.values).toMatchObject({ phone: PHONES.length, card: 3, iban: IBANS.length });
  });
  afterAll(async () => {
    await dir?.close();
    await removeDir(tmp);
  });

  describe('phones', () => {
    it.each([
      // Germany: trunk "(0)" in international form, 00 prefix, area code in parentheses, slash
      ['DE-INTL-TRUNK', 'Rückruf unter +49 (0)30 1234567 bitte'],
      ['DE-INTL-TRUNK', 'Tel.: +49 30 1234567'],
      ['DE-INTL-TRUNK', 'Tel. 0049 30 1234567'],
      ['DE-INTL-TRUNK', 'Telefon (0 30) 123 45 67'],
      ['DE-INTL-TRUNK', 'Telefon 030/1234567'],
      ['DE-INTL-TRUNK', 'Festnetz: +49(0)30-1234567'],
      ['DE-INTL-TRUNK', 'tel:+49301234567'],
      ['DE-INTL-TRUNK', 'Telefon (+49) 30 1234567'],
      ['DE-INTL-TRUNK', 'Telefon 030 – 123 45 67'], // en dash (autocorrect)
      ['DE-NATIONAL', 'Mobil +49 (0) 89 765 43 21'],
      ['DE-NATIONAL', 'Tel. (089) 7654321'],
      // France: dots, NBSP (HTML &nbsp;), narrow NBSP and thin spaces, +33 (0)
      ['FR-NATIONAL', 'Appelez le 06.12.34.56.78 svp'],
      ['FR-NATIONAL', `Portable : 06${NBSP}12${NBSP}34${NBSP}56${NBSP}78`],
      ['FR-NATIONAL', `Portable : 06${NNBSP}12${NNBSP}34${NNBSP}56${NNBSP}78`],
      ['FR-NATIONAL', `Portable : 06${THIN}12${THIN}34${THIN}56${THIN}78`],
      ['FR-NATIONAL', 'Tél. +33 (0)6 12 34 56 78'],
      ['FR-NATIONAL', 'Tél. 0033 6 12 34 56 78'],
      ['FR-INTL', 'son numéro : 07 98 76 54 32'],
      ['FR-INTL', 'son numéro : +33 7 98 76 54 32'],
      // Turkey
      ['TR-NATIONAL', 'Cep: +90 (532) 123 45 67'],
      ['TR-NATIONAL', 'Cep: 0532 123 45 67'],
      ['TR-NATIONAL', 'Cep: 0 (532) 123 45 67'],
      ['TR-INTL', 'Tel: 0533 765 43 21'],
      ['TR-INTL', 'Tel: +90 533 765 4321'],
      // Vietnam
      ['VN-NATIONAL', 'SĐT: +84 912 345 678'],
      ['VN-NATIONAL', 'SĐT: 091 234 5678'],
      ['VN-NATIONAL', 'SĐT: 0912.345.678'],
      ['VN-INTL', 'SĐT: 0987 654 321'],
      // Poland
      ['PL-INTL', 'tel. +48 601-234-567'],
      ['PL-INTL', 'tel. 601 234 567'],
      ['PL-INTL', 'tel. +48 601–234–567'],
      ['PL-NATIONAL', 'tel. +48 502 345 678'],
      // United Kingdom
      ['GB-NATIONAL', 'Call +44 (0)20 7946 0958'],
      ['GB-NATIONAL', 'Call 020 7946 0958'],
      ['GB-MOBILE-INTL', 'Mobile: 07700 900123'],
      ['GB-MOBILE-INTL', 'Mobile: +44 7700 900 123'],
      // United States
      ['US-NATIONAL', 'Phone: +1 (415) 555-0171'],
      ['US-NATIONAL', 'Phone: 415.555.0171'],
      ['US-NATIONAL', 'Phone: +1-415-555-0171'],
      // Spain, Italy, Portugal, Brazil, Netherlands, Sweden
      ['ES-NATIONAL', 'Móvil: +34 612 34 56 78'],
      ['ES-NATIONAL', 'Móvil: 612 345 678'],
      ['IT-NATIONAL', 'Tel. +39 06 8765 4321'],
      ['IT-NATIONAL', 'Tel. 06 87654321'],
      ['IT-MOBILE', 'Cell. 347 123 4567'],
      ['PT-NATIONAL', 'Telemóvel: +351 912 345 678'],
      ['BR-NATIONAL', 'Celular: +55 (11) 91234-5678'],
      ['BR-NATIONAL', 'Celular: +55 11 91234 5678'],
      ['NL-NATIONAL', 'Bel +31 (0)6 23456789'],
      ['NL-NATIONAL', 'Bel 06 - 23 45 67 89'],
      ['NL-INTL-TRUNK', 'Tel. 020-1234567'],
      ['SE-NATIONAL', 'Ring +46 (0)70 123 45 67'],
      ['SE-NATIONAL', 'Ring 070 123 45 67'],
      // a US customer whose stored number is German, written with the 00 prefix
      ['DE-00-US-ROW', 'Nummer +49 40 5551234'],
    ])('%s in %j', (id, text) => {
      const hits = scan(text).filter((f) => f.kind === 'phone');
      expect(hits.map((f) => f.customers)).toEqual([[id]]);
      // the finding covers the whole number as written (the text holds no other digits)
      const shown = text.slice(hits[0]!.offset, hits[0]!.offset + hits[0]!.length);
      expect(shown.replace(/\D/g, '')).toBe(text.replace(/\D/g, ''));
    });

    it('finds a phone in a link query value the same way', () => {
      expect(found('+49 (0)30 1234567', 'phone', 'link')).toEqual(['DE-INTL-TRUNK=+49 (0)30 1234567']);
    });

    it('does not find other numbers of the same area or the same digits in another country', () => {
      for (const text of [
        '+49 (0)30 1234568',
        '030 1234568',
        '+33 6 12 34 56 79',
        '+90 532 123 45 68',
        '+84 912 345 679',
        '+48 601 234 568',
        '+44 20 7946 0959',
      ]) {
        expect(scan(text), text).toEqual([]);
      }
    });
  });

  describe('cards', () => {
    const digits16 = CARD16.replace(/ /g, '');
    it.each([
      ['4-4-4-4 spaces', `Karte ${CARD16} abgelehnt`, 'CARD16'],
      ['no separators', `card ${digits16}.`, 'CARD16'],
      ['dashes', `card ${digits16.replace(/(\d{4})(?=\d)/g, '$1-')} declined`, 'CARD16'],
      ['dots', `carte ${digits16.replace(/(\d{4})(?=\d)/g, '$1.')} refusée`, 'CARD16'],
      ['NBSP', `carte ${digits16.replace(/(\d{4})(?=\d)/g, `$1${NBSP}`)} refusée`, 'CARD16'],
      ['narrow NBSP', `carte ${digits16.replace(/(\d{4})(?=\d)/g, `$1${NNBSP}`)} refusée`, 'CARD16'],
      ['thin space', `card ${digits16.replace(/(\d{4})(?=\d)/g, `$1${THIN}`)} declined`, 'CARD16'],
      ['Amex 4-6-5', `Amex ${AMEX} on file`, 'AMEX'],
      ['Amex 4-6-5 dashes', `Amex ${AMEX.replace(/ /g, '-')} on file`, 'AMEX'],
      ['Amex compact', `Amex ${AMEX.replace(/ /g, '')} on file`, 'AMEX'],
      ['19 digits 4-4-4-4-3', `card ${CARD19.replace(/(\d{4})(?=\d)/g, '$1 ')} ok`, 'CARD19'],
      ['19 digits compact', `card ${CARD19} ok`, 'CARD19'],
    ])('%s', (_label, text, id) => {
      const hits = scan(text).filter((f) => f.kind === 'card');
      expect(hits.map((f) => f.customers)).toEqual([[id]]);
      expect(hits[0]!.masked).toMatch(/^••••\d{4}$/);
    });

    it('a card number with one wrong digit, or another card, is no finding', () => {
      expect(scan('card 4539 1488 0343 6468')).toEqual([]);
      expect(scan('card 4111 1111 1111 1111')).toEqual([]);
    });
  });

  describe('IBANs', () => {
    it.each([
      ['IBAN-DE', 'IBAN: DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX'],
      ['IBAN-DE', 'IBAN DE89370400440532013000.'],
      ['IBAN-DE', 'iban de89 3704 0044 0532 0130 00'],
      ['IBAN-DE', 'IBAN De89-3704-0044-0532-0130-00'],
      ['IBAN-DE', 'IBAN DE89.3704.0044.0532.0130.00'],
      ['IBAN-DE', `IBAN DE89${NBSP}3704${NBSP}0044${NBSP}0532${NBSP}0130${NBSP}00`],
      ['IBAN-DE', `IBAN DE89${NNBSP}3704${NNBSP}0044${NNBSP}0532${NNBSP}0130${NNBSP}00`],
      ['IBAN-DE', 'Kontoinhaber: X, IBAN DE89 3704 0044 0532\n0130 00 (Commerzbank)'],
      ['IBAN-DE', '> IBAN DE89 3704 0044 0532\r\n> 0130 00'],
      ['IBAN-DE', 'Bankverbindung DE89 37040044 0532013000'],
      ['IBAN-GB', 'Sort code / account: GB29 NWBK 6016 1331 9268 19'],
      ['IBAN-NL', 'rekening NL91ABNA0417164300'],
      ['IBAN-FR', 'RIB : FR14 2004 1010 0505 0001 3M02 606'],
      ['IBAN-FR', 'RIB : fr1420041010050500013m02606'],
      ['IBAN-TR', 'IBAN: TR33 0006 1005 1978 6457 8413 26'],
      ['IBAN-PL', 'Nr konta: PL61 1090 1014 0000 0712 1981 2874'],
      ['IBAN-BR', 'IBAN BR97 0036 0305 0000 1000 9795 493P 1'],
    ])('%s in %j', (id, text) => {
      const hits = scan(text).filter((f) => f.kind === 'iban');
      expect(hits.map((f) => [f.customers, f.strength])).toEqual([[[id], 'strong']]);
      const shown = text.slice(hits[0]!.offset, hits[0]!.offset + hits[0]!.length);
      const stored = IBANS.find(([i]) => i === id)![1];
      expect(shown.replace(/[^A-Za-z0-9]/g, '').toUpperCase()).toBe(stored.replace(/\s/g, '').toUpperCase());
      expect(hits[0]!.masked).not.toMatch(/3704|0532|NWBK|ABNA/i);
    });

    it('masks as country, check digits and the last four', () => {
      expect(scan('IBAN DE89 3704 0044 0532 0130 00').map((f) => f.masked)).toEqual(['DE89 •••• •••• •••• 3000']);
    });

    it('finds IBANs in a URL query value and a URL path', () => {
      expect(found('DE89370400440532013000', 'iban', 'link')).toEqual(['IBAN-DE=DE89370400440532013000']);
      expect(found('https://pay.example/sepa?name=x&iban=DE89370400440532013000&amount=10', 'iban')).toEqual([
        'IBAN-DE=DE89370400440532013000',
      ]);
      expect(found('/mandate/GB29NWBK60161331926819/confirm', 'iban', 'link')).toEqual([
        'IBAN-GB=GB29NWBK60161331926819',
      ]);
    });

    it('near misses are no finding: bad check digits, a creditor reference, another account of the same bank, a longer number', () => {
      for (const text of [
        'IBAN DE88 3704 0044 0532 0130 00', // check digits wrong
        'IBAN DE89 3704 0044 0532 0130 01', // one digit changed
        'Gläubiger-Referenz RF18 5390 0754 7034', // ISO 11649 creditor reference (also mod 97)
        'IBAN DE62 3704 0044 0532 0130 01', // valid IBAN, another account at the same bank
        'IBAN DE89 3704 0044 0532 0130 0012', // longer than a German IBAN
        'ref XDE89370400440532013000',
        'IBAN DE89 3704 0044\n\n0532 0130 00', // a paragraph break is not a wrapped line
      ]) {
        expect(
          scan(text).filter((f) => f.kind === 'iban'),
          text,
        ).toEqual([]);
      }
    });
  });
});
