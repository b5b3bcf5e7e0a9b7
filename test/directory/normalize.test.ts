import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyedHasher } from '../../src/directory/keyed-hash.js';
import {
  luhnValid,
  normalizeAddress,
  normalizeCard,
  normalizeCity,
  normalizeEmail,
  normalizeIban,
  normalizeImei,
  normalizeName,
  normalizePhone,
  normalizePostalCode,
  normalizeToken,
  normalizeValue,
} from '../../src/directory/normalize.js';
import { surnameKeys } from '../../src/directory/name-words.js';

describe('phone', () => {
  it.each([
    ['(415) 555-0171', 'US', '+14155550171'],
    ['415.555.0171', 'US', '+14155550171'],
    ['+1 415 555 0171', undefined, '+14155550171'],
    ['001 415 555 0171', 'DE', '+14155550171'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['+44 (0)20 7946 0958', 'GB', '+442079460958'],
    ['07700 900123', 'GB', '+447700900123'],
    ['030 12345678', 'DE', '+493012345678'],
    ['+49 (30) 1234-5678', undefined, '+493012345678'],
    ['0049 30 12345678', undefined, '+493012345678'],
    ['01 23 45 67 89', 'FR', '+33123456789'],
    ['06.12.34.56.78', 'FR', '+33612345678'],
    ['+33 6 12 34 56 78', 'US', '+33612345678'],
    // 00 international prefix in a row whose country dials abroad otherwise (US: 011)
    ['0049 30 12345678', 'US', '+493012345678'],
    // the "(0)" trunk prefix inside international forms, and the typographic spaces of HTML and word processors
    ['+33 (0)6 12 34 56 78', undefined, '+33612345678'],
    ['+90 (532) 123 45 67', undefined, '+905321234567'],
    ['0 (532) 123 45 67', 'TR', '+905321234567'],
    ['06\u202f12\u202f34\u202f56\u202f78', 'FR', '+33612345678'],
    ['06\u200912\u200934\u200956\u200978', 'FR', '+33612345678'],
    ['06\u00a012\u00a034\u00a056\u00a078', 'FR', '+33612345678'],
    ['091 234 5678', 'VN', '+84912345678'],
    ['+48 601-234-567', 'PL', '+48601234567'],
  ])('%s (%s) → %s', (raw, region, e164) => {
    expect(normalizePhone(raw, region)).toBe(e164);
  });

  it('needs a region for national formats and rejects junk', () => {
    expect(normalizePhone('020 7946 0958')).toBeNull();
    expect(normalizePhone('12', 'US')).toBeNull();
    expect(normalizePhone('call me', 'US')).toBeNull();
  });

  it('the same national number means different numbers in different regions', () => {
    expect(normalizePhone('0201234567', 'GB')).not.toBe(normalizePhone('0201234567', 'DE'));
  });
});

describe('IMEI and card', () => {
  it('accepts separators and checks Luhn', () => {
    expect(normalizeImei('35-209900-176148-1')).toBe('352099001761481');
    expect(normalizeImei('35 209900 176148 1')).toBe('352099001761481');
    expect(normalizeImei('35/209900/176148/1')).toBe('352099001761481');
    expect(normalizeImei('352099001761482')).toBeNull(); // Luhn fails
    expect(normalizeImei('35209900176148')).toBeNull(); // 14 digits
    expect(normalizeImei('IMEI 352099001761481')).toBeNull();
  });
  it('cards 13–19 digits with Luhn', () => {
    expect(normalizeCard('4111 1111 1111 1111')).toBe('4111111111111111');
    expect(normalizeCard('4111-1111-1111-1112')).toBeNull();
    expect(normalizeCard('4222222222222')).toBe('4222222222222');
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});

describe('IBAN', () => {
  it.each([
    ['DE89370400440532013000', 'DE89370400440532013000'],
    ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013000'],
    ['de89 3704 0044 0532 0130 00', 'DE89370400440532013000'],
    ['DE89-3704-0044-0532-0130-00', 'DE89370400440532013000'],
    ['DE89.3704.0044.0532.0130.00', 'DE89370400440532013000'],
    ['DE89\u00a03704\u202f0044\u20090532 0130 00', 'DE89370400440532013000'],
    ['IBAN: DE89 3704 0044 0532 0130 00', 'DE89370400440532013000'],
    ['GB29 NWBK 6016 1331 9268 19', 'GB29NWBK60161331926819'],
    ['fr14 2004 1010 0505 0001 3m02 606', 'FR1420041010050500013M02606'],
    ['BR97 0036 0305 0000 1000 9795 493P 1', 'BR9700360305000010009795493P1'],
  ])('%j → %s', (raw, iban) => {
    expect(normalizeIban(raw)).toBe(iban);
    expect(normalizeValue('iban', raw)).toBe(iban);
  });

  it.each([
    ['DE88 3704 0044 0532 0130 00', 'wrong check digits'],
    ['DE89 3704 0044 0532 0130 01', 'one digit changed'],
    ['DE89 3704 0044 0532 0130 0', 'too short for DE'],
    ['DE89 3704 0044 0532 0130 000', 'too long for DE'],
    ['RF18 5390 0754 7034', 'creditor reference, not an IBAN country'],
    ['XX89370400440532013000', 'unknown country'],
    ['0532013000', 'national account number'],
    ['DE89 3704 0044 0532 0130 00 / GB29NWBK60161331926819', 'two values in one'],
  ])('%j is not an IBAN (%s)', (raw) => {
    expect(normalizeIban(raw)).toBeNull();
  });
});

describe('names in CRM orders (issue 17)', () => {
  it.each([
    ['Hans Müller', 'hans muller'],
    ['MÜLLER, Hans', 'hans muller'],
    ['Müller, Hans', 'hans muller'],
    ['MÜLLER Hans', 'hans muller'],
    ['HANS MÜLLER', 'hans muller'], // all capitals: natural order
    ['van der Berg, Anna', 'anna van der berg'],
    ['VAN DER BERG Anna', 'anna van der berg'],
    ['García López, María José', 'maria jose garcia lopez'],
    ['GARCÍA LÓPEZ María José', 'maria jose garcia lopez'],
    ['Dr. Hans Müller', 'hans muller'],
    ['Müller, Dr. Hans', 'hans muller'],
    ['Frau Prof. Dr. Anna Schmidt', 'anna schmidt'],
    ['Sra. María García', 'maria garcia'],
    ['Dhr. Pieter de Vries', 'pieter de vries'],
    ['Smith, John, Jr.', 'john smith'],
    ['John Smith Jr.', 'john smith'],
    ['Ahmad bin Ismail', 'ahmad bin ismail'],
  ])('%j → %j', (raw, folded) => {
    expect(normalizeName(raw)).toBe(folded);
  });

  it('keeps names that only look like titles, and never makes a one-word name', () => {
    expect(normalizeName('Don Johnson')).toBe('don johnson');
    expect(normalizeName('Pan Wei')).toBe('pan wei');
    expect(normalizeName('Anh Nguyen')).toBe('anh nguyen');
    expect(normalizeName('Mr Smith')).toBe('mr smith'); // a title and one word: kept as written, not a lone surname
    expect(normalizeName('Müller,')).toBeNull();
    expect(normalizeName('Dr.')).toBeNull();
  });

  it('surname keys: every run after the first word that is not only particles', () => {
    expect(surnameKeys('hans muller')).toEqual(['muller']);
    expect(surnameKeys('anna van der berg').sort()).toEqual(['berg', 'der berg', 'van der berg']);
    expect(surnameKeys('maria dos santos').sort()).toEqual(['dos santos', 'santos']);
    expect(surnameKeys('maria jose garcia lopez').sort()).toEqual([
      'garcia',
      'garcia lopez',
      'jose',
      'jose garcia',
      'jose garcia lopez',
      'lopez',
    ]);
  });
});

describe('names, cities, streets', () => {
  it('folds case, diacritics, punctuation and whitespace', () => {
    expect(normalizeName('  José   Álvarez-Núñez ')).toBe('jose alvarez nunez');
    expect(normalizeName('JOSE ALVAREZ NUNEZ')).toBe('jose alvarez nunez');
    expect(normalizeName("Seán O'Brien")).toBe('sean obrien');
    expect(normalizeName('Jürgen Groß')).toBe('jurgen gross');
    expect(normalizeName('Søren Łukasz')).toBe('soren lukasz');
    expect(normalizeName('Madonna')).toBeNull(); // a single word is never a full name
    expect(normalizeCity('São Paulo')).toBe('sao paulo');
    expect(normalizeCity('MÜNCHEN')).toBe('munchen');
  });

  it('streets: abbreviations folded, house number kept and moved last (more forms: test/directory/address.test.ts)', () => {
    expect(normalizeAddress('123 Main Street')).toBe('main st 123');
    expect(normalizeAddress('123 main st.')).toBe('main st 123');
    expect(normalizeAddress('Main St 123')).toBe('main st 123');
    expect(normalizeAddress('742 Evergreen Terrace')).toBe(normalizeAddress('742 evergreen ter'));
    expect(normalizeAddress('10 Downing Road')).toBe(normalizeAddress('10 downing rd'));
    expect(normalizeAddress('5 Sunset Boulevard')).toBe(normalizeAddress('5 Sunset Blvd.'));
    expect(normalizeAddress('1 Park Avenue')).toBe(normalizeAddress('1 Park Ave'));
    expect(normalizeAddress('Hauptstraße 5')).toBe('hauptstr 5');
    expect(normalizeAddress('Hauptstrasse 5')).toBe('hauptstr 5');
    expect(normalizeAddress('Hauptstr. 5')).toBe('hauptstr 5');
    expect(normalizeAddress('Am Markt 12a')).toBe('am markt 12'); // the letter is the unit, kept beside the key
    expect(normalizeAddress('Rue de Rivoli 12-14')).toBe('r de rivoli 12-14');
    // words that are names of Object.prototype members are ordinary words
    expect(normalizeAddress('12 Constructor Street')).toBe('constructor st 12');
    expect(normalizeAddress('7 toString Lane')).toBe('tostring ln 7'); // lane, ln (libpostal; its `la` is the es/fr/it article)
    expect(normalizeAddress('3 __proto__ Road')).toBe('proto rd 3');
    // no house number: kept as written (issue 17, class 10); nothing at all: null
    expect(normalizeAddress('Main Street')).toBe('main st');
    expect(normalizeAddress(' , ')).toBeNull();
  });

  it('house number must differ', () => {
    expect(normalizeAddress('12 Main St')).not.toBe(normalizeAddress('13 Main St'));
  });
});

describe('other kinds', () => {
  it('email, postal code, tokens', () => {
    expect(normalizeEmail('  Mary.Major@Example.COM ')).toBe('mary.major@example.com');
    expect(normalizeEmail('not an email')).toBeNull();
    expect(normalizePostalCode('sw1a 1aa')).toBe('SW1A1AA');
    expect(normalizePostalCode('10115')).toBe('10115');
    expect(normalizeToken(' #ord-2024-0001 ')).toBe('ORD-2024-0001');
    expect(normalizeValue('ticket_id', 'tk-77')).toBe('TK-77');
  });
});

describe('keyed hash', () => {
  it('is HMAC-SHA256(secret, kind \\0 value) truncated to 64 bits', () => {
    for (const len of [16, 32, 64, 100]) {
      const key = randomBytes(len);
      const h = new KeyedHasher(key);
      for (const v of ['x', 'mary@example.com', 'ü'.repeat(40), 'a'.repeat(300)]) {
        const d = createHmac('sha256', key).update(`email\0${v}`).digest();
        expect(h.hash64('email', v)).toBe(d.readBigUInt64BE(0));
      }
    }
  });
});
