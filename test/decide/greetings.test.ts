import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precededByGreeting } from '../../src/decide/checks.js';
import { decide } from '../../src/decide/decide.js';
import { loadPolicies } from '../../src/decide/loader.js';
import type { PolicySet } from '../../src/decide/types.js';
import { detect } from '../../src/detect/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { removeDir, tempDir, writeCsv } from '../directory/helpers.js';
import { INTERNAL, POLICIES_DIR, message } from './helpers.js';

describe('greeting detection before a name', () => {
  it('recognises German gender-inclusive salutations', () => {
    for (const g of [
      'Sehr geehrte ',
      'Sehr geehrter ',
      'Sehr geehrte/r ',
      'Sehr geehrte*r ',
      'Sehr geehrte(r) ',
      'Sehr geehrte:r ',
      'Liebe/r ',
      'Sehr geehrte Frau ',
    ]) {
      const text = `${g}Maria Muster,\r\nvielen Dank.`;
      expect(precededByGreeting(text, g.length), g).toBe(true);
    }
  });
  it('does not take ordinary words before a name for a greeting', () => {
    for (const g of [
      'Please call ',
      'Order for ',
      'geehrte/rMaria ',
      'and Mr ',
      'Frau ',
      'Herr Dr. ',
      'Thanks, ',
      'Kind regards,\n',
    ]) {
      expect(precededByGreeting(`${g}Maria Muster`, g.length), g).toBe(false);
    }
  });
  it.each([
    [
      'en',
      [
        'Dear ',
        'Dear Mr ',
        'Dear Mrs. ',
        'Dear Ms ',
        'Dear Miss ',
        'Dear Dr. ',
        'Dear Prof. ',
        'Hello ',
        'Hi ',
        'Good morning Mr. ',
      ],
    ],
    ['de', ['Sehr geehrter Herr ', 'Sehr geehrte Frau Dr. ', 'Hallo Frau ', 'Guten Tag Herr ', 'Liebe Frau ']],
    [
      'es',
      [
        'Estimado Sr. ',
        'Estimada Sra. ',
        'Estimado/a Sr. ',
        'Hola Srta. ',
        'Estimado Don ',
        'Estimada Doña ',
        'Querida ',
      ],
    ],
    [
      'fr',
      [
        'Bonjour Monsieur ',
        'Bonjour M. ',
        'Chère Madame ',
        'Cher Monsieur ',
        'Madame ',
        'Monsieur ',
        'Bonjour Mme ',
        'Bonjour Mlle ',
      ],
    ],
    ['it', ['Caro Sig. ', 'Gentile Sig.ra ', 'Gentile Dott.ssa ', 'Egregio Dott. ', 'Buongiorno Sig.na ']],
    ['pt', ['Prezado Sr. ', 'Prezada Sra. ', 'Prezado(a) ', 'Olá Sr. ', 'Caro Dr. ', 'Exmo. Sr. ']],
    [
      'nl',
      [
        'Beste ',
        'Geachte heer ',
        'Geachte mevrouw ',
        'Geachte de heer ',
        'Beste meneer ',
        'Geachte Dhr. ',
        'Geachte Mevr. ',
      ],
    ],
    ['pl', ['Szanowny Panie ', 'Szanowna Pani ', 'Szanowny/a ', 'Dzień dobry Pani ', 'Dzień dobry ']],
    ['tr', ['Sayın ', 'SAYIN ', 'Merhaba Bay ', 'Merhaba Bayan ', 'Sayın Bay ']],
    ['vi', ['Kính gửi Ông ', 'Kính gửi Bà ', 'Chào Anh ', 'Chào Chị ', 'Xin chào ']],
    ['da/no/sv', ['Hej ', 'Hallo ', 'Kære ', 'Hei ', 'Kära ', 'Hej Hr. ', 'Hej Fr. ']],
  ])('%s greetings and titles', (_lang, greetings) => {
    for (const g of greetings) {
      expect(precededByGreeting(`${g}Maria Muster`, g.length), g).toBe(true);
      expect(precededByGreeting(`Re: order\n\n${g}Maria Muster`, `Re: order\n\n${g}`.length), g).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Greeting drift and combined evidence end to end: a real hashed directory, detect(), the default policy.
// ---------------------------------------------------------------------------------------------------------------

const ROWS: Record<string, string>[] = [
  {
    customer_id: 'G-TOM',
    full_name: 'Becker, Tom',
    email: 'tom@becker.example',
    city: 'Köln',
    postal_code: '50667',
    country: 'DE',
  },
  {
    customer_id: 'G-HANS',
    full_name: 'MÜLLER, Hans',
    email: 'hans@kunde.example',
    city: 'München',
    postal_code: '80331',
    country: 'DE',
  },
  {
    customer_id: 'G-BERG',
    full_name: 'van der Berg, Anna',
    email: 'anna@berg.example',
    city: 'Utrecht',
    postal_code: '3511 AB',
    country: 'NL',
  },
  {
    customer_id: 'G-GARCIA',
    full_name: 'García López, María José',
    email: 'mj@correo.example',
    city: 'Madrid',
    postal_code: '28001',
    country: 'ES',
  },
  {
    customer_id: 'G-DUPONT',
    full_name: 'DUPONT Jean',
    email: 'jean@exemple.example',
    city: 'Lyon',
    postal_code: '69001',
    country: 'FR',
  },
  {
    customer_id: 'G-SANTOS',
    full_name: 'Maria dos Santos',
    email: 'maria@exemplo.example',
    city: 'Lisboa',
    postal_code: '1100-148',
    country: 'PT',
  },
  {
    customer_id: 'G-KOWAL',
    full_name: 'Anna Kowalska',
    email: 'anna@kowal.example',
    city: 'Kraków',
    postal_code: '30-001',
    country: 'PL',
  },
  {
    customer_id: 'G-YILMAZ',
    full_name: 'Ayşe Yılmaz',
    email: 'ayse@ornek.example',
    city: 'İstanbul',
    postal_code: '34000',
    country: 'TR',
  },
  {
    customer_id: 'G-BIANCHI',
    full_name: 'Giulia Bianchi',
    email: 'giulia@esempio.example',
    city: 'Milano',
    postal_code: '20121',
    country: 'IT',
  },
  {
    customer_id: 'G-ISMAIL',
    full_name: 'Ahmad bin Ismail',
    email: 'ahmad@contoh.example',
    city: 'Kuala Lumpur',
    postal_code: '50000',
    country: 'MY',
  },
  {
    customer_id: 'G-WEBER1',
    full_name: 'Laura Weber',
    email: 'laura@weber.example',
    city: 'Berlin',
    postal_code: '10115',
    country: 'DE',
  },
  {
    customer_id: 'G-WEBER2',
    full_name: 'Laura Weber',
    email: 'l.weber@mail.example',
    city: 'Hamburg',
    postal_code: '20095',
    country: 'DE',
  },
];

describe('greeting drift and names with postal code or city, end to end', () => {
  let tmp: string;
  let dir: Directory;
  let policy: PolicySet;

  beforeAll(async () => {
    tmp = await tempDir('pg-greet-');
    const file = await writeCsv(tmp, 'g.csv', ROWS, [
      'customer_id',
      'full_name',
      'email',
      'city',
      'postal_code',
      'country',
    ]);
    dir = await openDirectory({ dataDir: join(tmp, 'data'), secret: 'greetings-secret-0123456789' });
    expect((await dir.import(file)).invalidValues).toBe(0);
    policy = await loadPolicies(POLICIES_DIR);
  });
  afterAll(async () => {
    await dir?.close();
    await removeDir(tmp);
  });

  /** The verdict for `body` sent to `to` (a directory e-mail, so the recipient resolves to that customer). */
  function verdict(to: string, body: string) {
    const input = message({ rcpt: [{ address: to }], body });
    input.detection = detect(input.parsed, input.envelope, dir, { internalDomains: [INTERNAL] });
    return decide(input, policy);
  }

  const TOM = 'tom@becker.example';

  it.each([
    ['Dear Mr van der Berg,'],
    ['Dear Ms. Anna van der Berg,'],
    ['Geachte mevrouw Van der Berg,'],
    ['Sehr geehrter Herr Müller,'],
    ['Sehr geehrter Herr Dr. Müller,'],
    ['Hallo Hans Müller,'],
    ['Sehr geehrter Herr MÜLLER Hans,'],
    ['Estimada Sra. García López:'],
    ['Estimado/a María José García López:'],
    ['Bonjour Monsieur Dupont,'],
    ['Madame, Monsieur DUPONT Jean,'],
    ['Prezada Sra. dos Santos,'],
    ['Szanowna Pani Kowalska,'],
    ['Dzień dobry Anna Kowalska,'],
    ['Sayın Yılmaz,'],
    ['Merhaba Ayşe Yılmaz,'],
    ['Gentile Sig.ra Bianchi,'],
    ['Caro Sig. Bianchi,'],
    ['Dear Ahmad bin Ismail,'],
    ['Hej Laura Weber,'],
  ])('%j to another customer is held as greeting drift', (greeting) => {
    const v = verdict(TOM, `${greeting}\n\nyour replacement device ships today.\n`);
    expect(v.action).toBe('quarantine');
    expect(v.hits.map((h) => h.ruleId)).toContain('greeting-drift');
    expect(JSON.stringify(v)).not.toMatch(/Müller|Berg|García|Dupont|Santos|Kowalska|Yılmaz|Bianchi|Ismail|Weber/); // masked only;
  });

  it.each([
    ['anna@berg.example', 'Dear Mr van der Berg,'],
    ['anna@berg.example', 'Beste Anna van der Berg,'],
    ['hans@kunde.example', 'Sehr geehrter Herr Müller,'],
    ['hans@kunde.example', 'Guten Tag Müller, Hans,'],
    ['mj@correo.example', 'Estimada Sra. García,'],
    ['jean@exemple.example', 'Bonjour M. Dupont,'],
    ['ayse@ornek.example', 'Sayın Yılmaz,'],
    // namesakes: the recipient is one of the customers called Laura Weber
    ['laura@weber.example', 'Hej Laura Weber,'],
    ['l.weber@mail.example', 'Dear Ms Weber,'],
  ])('to %s, %j greets the recipient: delivered', (to, greeting) => {
    const v = verdict(to, `${greeting}\n\nyour replacement device ships today.\n`);
    expect(v.action).toBe('deliver');
  });

  it('near misses are no greeting drift: a first name alone, a surname in running text, a title without a customer', () => {
    for (const body of [
      'Hi Hans,\n\nyour device ships today.',
      'Dear Anna,\n\nthanks.',
      'Hello,\n\nMr Müller from our warehouse will call you.',
      'Dear Mr Nobody,\n\nthanks.',
      'Dear Sir or Madam,\n\nthanks.',
      'Hola,\n\nSra. García López is on holiday.',
    ]) {
      expect(
        verdict(TOM, body).hits.map((h) => h.ruleId),
        body,
      ).not.toContain('greeting-drift');
    }
  });

  it('combined evidence: another customer name with that customer postal code or city is held as foreign data', () => {
    const v = verdict(TOM, 'Hello,\n\nthe parcel for Hans Müller, 80331 München is delayed.\n');
    expect(v.action).toBe('quarantine');
    expect(v.hits.map((h) => h.ruleId)).toContain('foreign-data');
    const reversed = verdict(TOM, 'Hello,\n\nRecipient: MÜLLER Hans\nMünchen\n');
    expect(reversed.hits.map((h) => h.ruleId)).toContain('foreign-data');
    // the name alone stays weak: recorded (tag), not held
    expect(verdict(TOM, 'Hello,\n\nas discussed with Hans Müller yesterday.\n').action).toBe('tag');
    // a name with a city that is not that customer's: weak
    expect(verdict(TOM, 'Hello,\n\nas discussed with Hans Müller from Hamburg.\n').action).toBe('tag');
  });

  it("the recipient's own name and own city or postal code are never foreign", () => {
    expect(
      verdict('hans@kunde.example', 'Sehr geehrter Herr Müller,\n\nLieferung an Hans Müller, 80331 München.\n').action,
    ).toBe('deliver');
    expect(verdict('mj@correo.example', 'Hola,\n\nGarcía López, María José\n28001 Madrid\n').action).toBe('deliver');
  });

  it('namesakes: the recipient shares the name with another customer: delivered, with the own city too', () => {
    expect(verdict('laura@weber.example', 'Hello Laura Weber,\n\nyour order ships.\n').action).toBe('deliver');
    expect(verdict('laura@weber.example', 'Hello,\n\nship to Laura Weber, 10115 Berlin.\n').action).toBe('deliver');
    expect(verdict('l.weber@mail.example', 'Hello,\n\nship to Laura Weber, Hamburg.\n').action).toBe('deliver');
  });
});
