import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsedMessage } from './helpers.js';
import type { Finding } from '../../src/core/types.js';
import { detect } from '../../src/detect/index.js';
import { emailMatches } from '../../src/detect/recognizers.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { removeDir, tempDir, writeCsv } from '../directory/helpers.js';

/** The global-regex scan that emailMatches replaces. */
function reference(text: string): [number, string][] {
  const re =
    /(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+/g;
  return [...text.matchAll(re)].map((m) => [m.index, m[0]]);
}

const PIECES = [
  'a',
  'b',
  'Z',
  '0',
  '9',
  '.',
  '..',
  '-',
  '_',
  '%',
  '+',
  "'",
  '@',
  '@',
  ' ',
  ',',
  '<',
  '>',
  'é',
  'x'.repeat(30),
  'y'.repeat(63),
  'mail.example.com',
  '\n',
];

describe('emailMatches', () => {
  it('finds exactly what the global e-mail regex finds', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect([...emailMatches(text)].map((m) => [m.index, m[0]])).toEqual(reference(text));
      }),
      { numRuns: 5000, seed: 20261122 },
    );
  });

  it('finds addresses in a reply and ignores a local part longer than 64 characters', () => {
    const text = `On Fri, Liam <liam.khan.42@gmail.com> wrote: cc 'ops'@support.example, ${'z'.repeat(65)}@x.example`;
    expect([...emailMatches(text)].map((m) => m[0])).toEqual(['liam.khan.42@gmail.com', "'ops'@support.example"]);
  });

  it('stays linear on a megabyte of at-signs and letters', () => {
    const text = 'a@'.repeat(500_000);
    const t0 = performance.now();
    expect([...emailMatches(text)].length).toBe(0);
    // not a speed claim (bench/ measures speed): a super-linear pattern takes far longer here, a linear one well
    // under a second, so this generous bound holds on any loaded machine and still catches the regression
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Names (issue 17, class 2) and combined evidence (class 4), through detect() with a real hashed directory.
// ---------------------------------------------------------------------------------------------------------------

const NAME_ROWS: Record<string, string>[] = [
  // CRM exports: LAST, First / LAST First in capitals / titles in the cell
  {
    customer_id: 'N-MUELLER',
    full_name: 'MÜLLER, Hans',
    email: 'hans@kunde.de',
    city: 'München',
    postal_code: '80331',
    country: 'DE',
  },
  {
    customer_id: 'N-BERG',
    full_name: 'van der Berg, Anna',
    email: 'anna@berg.nl',
    city: 'Utrecht',
    postal_code: '3511 AB',
    country: 'NL',
  },
  {
    customer_id: 'N-GARCIA',
    full_name: 'García López, María José',
    email: 'mj@correo.es',
    city: 'Madrid',
    postal_code: '28001',
    country: 'ES',
  },
  {
    customer_id: 'N-DUPONT',
    full_name: 'DUPONT Jean',
    email: 'jean@exemple.fr',
    city: 'Lyon',
    postal_code: '69001',
    country: 'FR',
  },
  {
    customer_id: 'N-SANTOS',
    full_name: 'Maria dos Santos',
    email: 'maria@exemplo.pt',
    city: 'Lisboa',
    postal_code: '1100-148',
    country: 'PT',
  },
  {
    customer_id: 'N-ISMAIL',
    full_name: 'Ahmad bin Ismail',
    email: 'ahmad@contoh.my',
    city: 'Kuala Lumpur',
    postal_code: '50000',
    country: 'MY',
  },
  {
    customer_id: 'N-VRIES',
    full_name: 'Dhr. Pieter de Vries',
    email: 'pieter@vries.nl',
    city: 'Amsterdam',
    postal_code: '1012 JS',
    country: 'NL',
  },
  {
    customer_id: 'N-FUENTE',
    full_name: 'Juan Carlos de la Fuente García',
    email: 'jc@correo.es',
    city: 'Sevilla',
    postal_code: '41001',
    country: 'ES',
  },
  {
    customer_id: 'N-YILMAZ',
    full_name: 'Ayşe Yılmaz',
    email: 'ayse@ornek.com.tr',
    city: 'İstanbul',
    postal_code: '34000',
    country: 'TR',
  },
  {
    customer_id: 'N-HILTON',
    full_name: 'Paris Hilton',
    email: 'ph@example.com',
    city: 'Paris',
    postal_code: '75001',
    country: 'FR',
  },
  {
    customer_id: 'N-WEBER1',
    full_name: 'Laura Weber',
    email: 'laura@weber.de',
    city: 'Berlin',
    postal_code: '10115',
    country: 'DE',
  },
  {
    customer_id: 'N-WEBER2',
    full_name: 'Laura Weber',
    email: 'l.weber@mail.de',
    city: 'Hamburg',
    postal_code: '20095',
    country: 'DE',
  },
  {
    customer_id: 'N-HOPE',
    full_name: 'Grace Hope',
    email: 'grace@example.org',
    city: 'Leeds',
    postal_code: 'LS1 4AP',
    country: 'GB',
  },
  {
    customer_id: 'N-OBERG',
    full_name: 'Britt-Marie Öberg',
    email: 'bm@example.se',
    city: 'Malmö',
    postal_code: '211 97',
    country: 'SE',
  },
  {
    customer_id: 'N-GEHRE',
    full_name: 'Marie Gehre',
    email: 'mg@example.de',
    city: 'Köln',
    postal_code: '50023',
    country: 'DE',
  },
  {
    customer_id: 'N-ILINA',
    full_name: 'ИЛЬИНА, Алла',
    email: 'alla@example.ru',
    city: 'Москва',
    postal_code: '125009',
    country: 'RU',
  },
];
const NAME_HEADER = ['customer_id', 'full_name', 'email', 'city', 'postal_code', 'country'];

describe('names in the forms people and CRMs write them', () => {
  let tmp: string;
  let dir: Directory;
  const scan = (text: string, fromName = ''): Finding[] =>
    detect(
      parsedMessage(text, { from: fromName ? [{ address: 'agent@shop.example', name: fromName }] : [] }),
      { mailFrom: 'agent@shop.example', rcptTo: ['someone@elsewhere.example'] },
      dir,
      { internalDomains: ['shop.example'] },
    ).findings;
  const names = (text: string, fromName = '') =>
    scan(text, fromName)
      .filter((f) => f.kind === 'full_name' || f.kind === 'greeting_name')
      .map((f) => ({
        kind: f.kind,
        found: text.slice(f.offset, f.offset + f.length),
        customers: [...f.customers].sort(),
        strength: f.strength,
      }));

  beforeAll(async () => {
    tmp = await tempDir('pg-names-');
    const file = await writeCsv(tmp, 'n.csv', NAME_ROWS, NAME_HEADER);
    dir = await openDirectory({ dataDir: join(tmp, 'data'), secret: 'names-secret-0123456789abc' });
    const r = await dir.import(file);
    expect(r.invalidValues).toBe(0);
  });
  afterAll(async () => {
    await dir?.close();
    await removeDir(tmp);
  });

  it.each([
    // natural order against LAST, First / LAST First directories
    ['Hans Müller', 'N-MUELLER'],
    ['HANS MÜLLER', 'N-MUELLER'],
    ['hans mueller? no: Hans Muller', 'N-MUELLER'],
    ['Anna van der Berg', 'N-BERG'],
    ['María José García López', 'N-GARCIA'],
    ['Jean Dupont', 'N-DUPONT'],
    ['Maria dos Santos', 'N-SANTOS'],
    ['Ahmad bin Ismail', 'N-ISMAIL'],
    ['Pieter de Vries', 'N-VRIES'],
    ['Juan Carlos de la Fuente García', 'N-FUENTE'],
    ['Ayşe Yılmaz', 'N-YILMAZ'],
    ['AYŞE YILMAZ', 'N-YILMAZ'],
    // reversed orders in text
    ['Müller, Hans', 'N-MUELLER'],
    ['MÜLLER, Hans', 'N-MUELLER'],
    ['Müller,Hans', 'N-MUELLER'],
    ['MÜLLER Hans', 'N-MUELLER'],
    ['van der Berg, Anna', 'N-BERG'],
    ['VAN DER BERG Anna', 'N-BERG'],
    ['García López, María José', 'N-GARCIA'],
    ['GARCÍA LÓPEZ María José', 'N-GARCIA'],
    ['DUPONT Jean', 'N-DUPONT'],
    ['Yılmaz, Ayşe', 'N-YILMAZ'],
  ])('%j is the full name of %s', (written, id) => {
    const text = `Kunde: ${written}\nBestellung folgt.`;
    const f = names(text);
    expect(f).toEqual([{ kind: 'full_name', found: written.replace(/^.*: /, ''), customers: [id], strength: 'weak' }]);
  });

  it('titles before a full name do not break it', () => {
    for (const t of [
      'Mr',
      'Mrs.',
      'Dr.',
      'Herr',
      'Frau Dr.',
      'Sr.',
      'Sra.',
      'M.',
      'Mme',
      'Sig.ra',
      'Pani',
      'Sayın',
      'Dhr.',
      'Mevr.',
      'Hr.',
      'Ông',
    ]) {
      expect(
        names(`Customer ${t} Hans Müller called.`).map((f) => [f.kind, f.found, f.customers]),
        t,
      ).toContainEqual(['full_name', 'Hans Müller', ['N-MUELLER']]);
    }
  });

  it('a title and surname after a greeting is a weak greeting_name, in every language', () => {
    const cases: [string, string, string][] = [
      ['Dear Mr van der Berg,', 'van der Berg', 'N-BERG'],
      ['Dear Ms. Van der Berg,', 'Van der Berg', 'N-BERG'],
      ['Geachte mevrouw Van der Berg,', 'Van der Berg', 'N-BERG'],
      ['Geachte heer De Vries,', 'De Vries', 'N-VRIES'],
      ['Beste meneer de Vries,', 'de Vries', 'N-VRIES'],
      ['Sehr geehrter Herr Müller,', 'Müller', 'N-MUELLER'],
      ['Sehr geehrter Herr Dr. Müller,', 'Müller', 'N-MUELLER'],
      ['Estimada Sra. García López:', 'García López', 'N-GARCIA'],
      ['Estimado/a Sr. García,', 'García', 'N-FUENTE,N-GARCIA'], // both have the surname García
      ['Prezada Sra. dos Santos,', 'dos Santos', 'N-SANTOS'],
      ['Olá Sra. Santos,', 'Santos', 'N-SANTOS'],
      ['Bonjour Monsieur Dupont,', 'Dupont', 'N-DUPONT'],
      ['Cher M. Dupont,', 'Dupont', 'N-DUPONT'],
      ['Monsieur Dupont,', 'Dupont', 'N-DUPONT'],
      ['Sayın Yılmaz,', 'Yılmaz', 'N-YILMAZ'],
      ['Merhaba Bayan Yılmaz,', 'Yılmaz', 'N-YILMAZ'],
      ['Dear Encik bin Ismail', '', ''],
      // a full name after the title is read as the full name, not as the surname `Marie` of Britt-Marie Öberg
      ['Sehr geehrte Frau Marie Gehre,', '', ''],
      ['Уважаемая госпожа Ильина,', 'Ильина', 'N-ILINA'],
    ];
    for (const [greeting, surname, id] of cases) {
      const f = names(`${greeting}\n\nthank you for your order.`).filter((x) => x.kind === 'greeting_name');
      if (!surname) expect(f, greeting).toEqual([]);
      else
        expect(f, greeting).toEqual([
          { kind: 'greeting_name', found: surname, customers: id.split(','), strength: 'weak' },
        ]);
    }
  });

  it('near misses: a first name alone, a surname alone, a title and surname outside a greeting, common words', () => {
    for (const text of [
      'Hi Hans,\nthanks.',
      'Dear Anna, Hans and Laura,',
      'Müller will call you.',
      'Anna said Mr van der Berg was out; Herr Müller too.',
      'Dear customer, I hope Grace is well. Berg, Anna? no.',
      'Grace, hope you are well',
      'Dear Sir or Madam, kind regards',
      'HANS Peter',
      'Hans, Müller',
    ]) {
      expect(names(text), text).toEqual([]);
    }
  });

  it('combined evidence: a full name with the same customer postal code or city nearby is strong', () => {
    expect(names('Lieferung an Hans Müller, 80331 München')).toEqual([
      { kind: 'full_name', found: 'Hans Müller', customers: ['N-MUELLER'], strength: 'strong' },
    ]);
    expect(names('MÜLLER, Hans\nMarienplatz 8\nMünchen')[0]!.strength).toBe('strong');
    expect(names('Madrid, 28001 — García López, María José')[0]!.strength).toBe('strong');
    // another customer's city does not confirm; too far away neither
    expect(names('Hans Müller, 10115 Berlin')[0]!.strength).toBe('weak');
    expect(names(`Hans Müller ${'x'.repeat(150)} München`)[0]!.strength).toBe('weak');
    // the name's own words never confirm it (Paris Hilton lives in Paris)
    expect(names('Paris Hilton wrote')[0]!.strength).toBe('weak');
    expect(names('Paris Hilton, 75001 Paris')[0]!.strength).toBe('strong');
    // a city below a blank line (a signature, the next paragraph) does not confirm the name above it
    expect(names('A gift from Hans Müller.\n\nKind regards,\nExample GmbH, München')[0]!.strength).toBe('weak');
  });

  it("the sender's own name above the office address is not confirmed by the office's city", () => {
    // an agent who happens to share a customer's name and city signs every mail the same way
    const signature = 'Kind regards,\nLaura Weber\nExample Shop GmbH · Jungfernstieg 1, Hamburg';
    expect(names(signature)[0]!.strength).toBe('strong');
    expect(names(signature, 'Laura Weber')).toEqual([
      { kind: 'full_name', found: 'Laura Weber', customers: ['N-WEBER1', 'N-WEBER2'], strength: 'weak' },
    ]);
    expect(names(signature, 'Laura Weber via Example Shop')[0]!.strength).toBe('weak');
    // another person's name is still confirmed when the agent is someone else
    expect(names(signature, 'Hans Müller')[0]!.strength).toBe('strong');
  });

  it('namesakes: the city picks the one it belongs to; a shared name alone names both', () => {
    expect(names('Laura Weber')).toEqual([
      { kind: 'full_name', found: 'Laura Weber', customers: ['N-WEBER1', 'N-WEBER2'], strength: 'weak' },
    ]);
    expect(names('Laura Weber, Hamburg')).toEqual([
      { kind: 'full_name', found: 'Laura Weber', customers: ['N-WEBER2'], strength: 'strong' },
    ]);
  });
});

describe('combined evidence stays inside the paragraph', () => {
  it('paragraph bounds stop at a blank line, also with CRLF and spaces', async () => {
    const { paragraphStart, paragraphEnd } = await import('../../src/detect/salutations.js');
    const text = 'Kind regards\r\n \r\nHans Müller\nMünchen\n\nExample GmbH, München';
    const start = text.indexOf('Hans');
    const end = start + 'Hans Müller'.length;
    expect(paragraphStart(text, start, 100)).toBe(start);
    expect(text.slice(end, paragraphEnd(text, end, 100))).toBe('\nMünchen\n');
    expect(paragraphStart('x'.repeat(300) + 'Hans', 300, 100)).toBe(200);
  });
});
