import fc from 'fast-check';
import { isValidIBAN } from 'ibantools';
import { describe, expect, it } from 'vitest';
import { parsedMessage } from './helpers.js';
import { detect } from '../../src/detect/index.js';
import { ibanCandidates, ibanMod97 } from '../../src/detect/iban.js';
import { Words } from '../../src/core/tokenize.js';
import type { DirectoryView } from '../../src/directory/directory.js';

const candidates = (text: string): [string, string][] =>
  [...ibanCandidates(new Words().fill(text))].map((c) => [text.slice(c.start, c.end), c.iban]);

describe('ibanCandidates', () => {
  it('finds every printed form of one IBAN, with its exact span', () => {
    expect(candidates('IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX')).toEqual([
      ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013000'],
    ]);
    expect(candidates('iban=de89370400440532013000&x=1')).toEqual([
      ['de89370400440532013000', 'DE89370400440532013000'],
    ]);
    expect(candidates('NL91-ABNA-0417-1643-00.')).toEqual([['NL91-ABNA-0417-1643-00', 'NL91ABNA0417164300']]);
    expect(candidates('Konto DE89 3704 0044\n  0532 0130 00 danke')).toEqual([
      ['DE89 3704 0044\n  0532 0130 00', 'DE89370400440532013000'],
    ]);
    expect(candidates('two: GB29 NWBK 6016 1331 9268 19, NL91ABNA0417164300')).toEqual([
      ['GB29 NWBK 6016 1331 9268 19', 'GB29NWBK60161331926819'],
      ['NL91ABNA0417164300', 'NL91ABNA0417164300'],
    ]);
  });

  it('yields nothing for words that only look like the start of an IBAN', () => {
    expect(candidates('AB12 rooms, DE12 street, GB 29, DE89 is a code, RF18 5390 0754 7034, É89 3704')).toEqual([]);
    // two line breaks, or a group with non-ASCII letters, end the candidate
    expect(candidates('DE89 3704 0044\n\n0532 0130 00')).toEqual([]);
    expect(candidates('DE89 3704 0044 0532 0130 0ü')).toEqual([]);
  });

  it('mod 97 agrees with ibantools on valid IBANs and on every single-character change', () => {
    const valid = [
      'DE89370400440532013000',
      'GB29NWBK60161331926819',
      'FR1420041010050500013M02606',
      'TR330006100519786457841326',
    ];
    for (const iban of valid) {
      expect(ibanMod97(iban)).toBe(1);
      for (let k = 2; k < iban.length; k++) {
        const c = iban[k]!;
        const changed =
          iban.slice(0, k) +
          (/\d/.test(c) ? String((Number(c) + 1) % 10) : c === 'Z' ? 'A' : String.fromCharCode(c.charCodeAt(0) + 1)) +
          iban.slice(k + 1);
        expect(ibanMod97(changed) === 1, changed).toBe(false);
      }
    }
  });

  it('every candidate is a valid IBAN whose characters are exactly those of its span', () => {
    const pieces = [
      'DE89',
      '3704',
      '0044',
      '0532',
      '0130',
      '00',
      'GB29',
      'NWBK',
      '6016',
      '1331',
      '9268',
      '19',
      'de89',
      'AB12',
      ' ',
      ' ',
      '-',
      '.',
      '\n',
      '> ',
      'x',
      '\u00a0',
      '370400440532013000',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        let last = -1;
        for (const c of ibanCandidates(new Words().fill(text))) {
          expect(isValidIBAN(c.iban)).toBe(true);
          expect(
            text
              .slice(c.start, c.end)
              .replace(/[^A-Za-z0-9]/g, '')
              .toUpperCase(),
          ).toBe(c.iban);
          expect(c.start).toBeGreaterThanOrEqual(last);
          last = c.end;
        }
      }),
      { numRuns: 3000, seed: 20260517 },
    );
  });
});

describe('IBAN detection cost', () => {
  it('looks up no IBAN for ordinary text and IBAN-like words, and one per valid IBAN', () => {
    const lookups: string[] = [];
    const view: DirectoryView = {
      lookup: (kind, value) => {
        lookups.push(kind);
        return kind === 'iban' && value === 'DE89370400440532013000' ? ['C1'] : [];
      },
      lookupAmong: () => [],
      has: () => false,
      kinds: () => new Set(['iban']),
      regions: () => [],
      emailDomains: () => new Set(),
      strengthOf: () => 'strong',
      requiresDigit: () => true,
      defaultRegion: () => undefined,
      generation: () => 1,
    };
    const text =
      'Sehr geehrte Frau X, Zimmer AB12 und DE12 3456 7890 1234 5678 90 (Prüfziffer falsch), Referenz RF18 5390 0754 7034, '.repeat(
        200,
      ) + 'IBAN DE89 3704 0044 0532 0130 00.';
    const parsed = parsedMessage(text);
    const d = detect(parsed, { mailFrom: 'a@shop.example', rcptTo: ['b@x.example'] }, view, { internalDomains: [] });
    expect(d.findings.map((f) => [f.kind, f.customers, f.masked])).toEqual([
      ['iban', ['C1'], 'DE89 •••• •••• •••• 3000'],
    ]);
    expect(lookups.filter((k) => k === 'iban')).toEqual(['iban']); // (the other lookup resolves the recipient)
  });
});
