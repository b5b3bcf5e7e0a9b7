/**
 * A deterministic, labelled test corpus for postguard: a customer directory (CSV) and a few hundred outbound
 * mails as support agents write them, each labelled with the expected verdict and the customer values planted in
 * it. Built only from the directory rows and ordinary mail-writing code (nodemailer, exceljs, fflate): nothing
 * here imports the detector or the directory internals, so the corpus cannot mirror their assumptions.
 *
 *   const corpus = await generateCorpus({ customers: 300, seed: 20240514 });
 *   const csv = writeDirectoryCsv(corpus.customers, dir);
 */
import { writeFileSync } from 'node:fs';
import { vi } from 'vitest';
import { join } from 'node:path';
import { Faker, base, de, en, en_GB, en_US, fr } from '@faker-js/faker';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { compose, makeDocx, makePdf, makeXlsx, makeZip, rawMail } from '../parse/fixtures.js';

// ---------------------------------------------------------------------------------------------------------
// customers
// ---------------------------------------------------------------------------------------------------------

export type Country = 'US' | 'GB' | 'DE' | 'FR';

export interface Customer {
  id: string;
  country: Country;
  first: string;
  last: string;
  fullName: string;
  email: string;
  /** Digits of the national significant number, e.g. US "4153821234", DE "15123456789". */
  nsn: string;
  /** As written in the CSV (national or international, per row). */
  phoneCsv: string;
  street: string;
  houseNo: string;
  /** Street line as in the CSV, e.g. "123 Oak Street", "Lindenstraße 12", "12 rue de la Paix". */
  streetLine: string;
  city: string;
  postal: string;
  imei: string;
  orderId: string;
}

const COUNTRIES: Country[] = ['US', 'GB', 'DE', 'FR'];
const SHARED_FIRST = ['Maria', 'Thomas', 'Anna', 'David', 'Laura', 'Daniel'];

const CITIES: Record<Country, { city: string; postal: (f: Faker) => string }[]> = {
  US: [
    { city: 'Springfield', postal: (f) => '627' + f.string.numeric(2) },
    { city: 'Portland', postal: (f) => '972' + f.string.numeric(2) },
    { city: 'Austin', postal: (f) => '787' + f.string.numeric(2) },
    { city: 'Denver', postal: (f) => '802' + f.string.numeric(2) },
    { city: 'Columbus', postal: (f) => '432' + f.string.numeric(2) },
    { city: 'Madison', postal: (f) => '537' + f.string.numeric(2) },
  ],
  GB: [
    { city: 'London', postal: (f) => f.helpers.arrayElement(['SW1A', 'E1', 'N7', 'SE15', 'NW3']) + ' ' + gbInward(f) },
    { city: 'Manchester', postal: (f) => f.helpers.arrayElement(['M1', 'M4', 'M20']) + ' ' + gbInward(f) },
    { city: 'Leeds', postal: (f) => f.helpers.arrayElement(['LS1', 'LS6']) + ' ' + gbInward(f) },
    { city: 'Bristol', postal: (f) => f.helpers.arrayElement(['BS1', 'BS8']) + ' ' + gbInward(f) },
    { city: 'Glasgow', postal: (f) => f.helpers.arrayElement(['G1', 'G12']) + ' ' + gbInward(f) },
  ],
  DE: [
    { city: 'Berlin', postal: (f) => '10' + f.string.numeric(3) },
    { city: 'München', postal: (f) => '80' + f.string.numeric(3) },
    { city: 'Köln', postal: (f) => '50' + f.string.numeric(3) },
    { city: 'Hamburg', postal: (f) => '20' + f.string.numeric(3) },
    { city: 'Düsseldorf', postal: (f) => '40' + f.string.numeric(3) },
  ],
  FR: [
    { city: 'Paris', postal: (f) => '750' + f.helpers.arrayElement(['01', '05', '11', '15', '18']) },
    { city: 'Lyon', postal: (f) => '6900' + f.helpers.arrayElement(['1', '3', '7']) },
    { city: 'Marseille', postal: (f) => '130' + f.helpers.arrayElement(['01', '06', '08']) },
    { city: 'Nantes', postal: () => '44000' },
    { city: 'Besançon', postal: () => '25000' },
  ],
};

function gbInward(f: Faker): string {
  return f.string.numeric(1) + f.string.fromCharacters('ABDEFGHJLNPQRSTUWXYZ', 2);
}

const STREETS: Record<Country, string[]> = {
  US: [
    'Oak Street',
    'Maple Avenue',
    'Cedar Lane',
    'Elm Street',
    'Pine Road',
    'Lakeview Drive',
    'Hillcrest Avenue',
    'Walnut Street',
    'Sunset Boulevard',
    'Birch Court',
  ],
  GB: [
    'Church Road',
    'High Street',
    'Station Road',
    'Mill Lane',
    'Victoria Road',
    'Park Avenue',
    'Queens Gardens',
    'Manor Close',
  ],
  DE: [
    'Lindenstraße',
    'Bahnhofstraße',
    'Gartenweg',
    'Schulstraße',
    'Ahornweg',
    'Bergstraße',
    'Mühlenweg',
    'Rosenstraße',
    'Am Kirchplatz',
  ],
  FR: [
    'rue de la Paix',
    'avenue des Lilas',
    'rue du Moulin',
    'boulevard de la Gare',
    'rue des Écoles',
    'chemin des Vignes',
    'place du Marché',
  ],
};

const EMAIL_DOMAINS: Record<Country, string[]> = {
  US: ['gmail.com', 'gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com'],
  GB: ['gmail.com', 'btinternet.com', 'outlook.com', 'hotmail.co.uk', 'yahoo.co.uk'],
  DE: ['gmail.com', 'web.de', 'gmx.de', 't-online.de', 'outlook.de'],
  FR: ['gmail.com', 'orange.fr', 'free.fr', 'laposte.net', 'hotmail.fr'],
};

function fakerFor(country: Country, seed: number): Faker {
  const locale = { US: [en_US, en, base], GB: [en_GB, en, base], DE: [de, en, base], FR: [fr, en, base] }[country];
  return new Faker({ locale, seed });
}

/** ASCII for mail local parts: diacritics stripped, ß → ss, other non-alphanumerics dropped. */
export function asciiFold(s: string): string {
  return s
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function luhnCheckDigit(digits14: string): string {
  let sum = 0;
  for (let i = 0; i < digits14.length; i++) {
    let d = Number(digits14[digits14.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A Luhn-valid IMEI with a real-looking TAC. */
function makeImei(f: Faker): string {
  const tac = f.helpers.arrayElement(['35209900', '35332510', '35693803', '86891503', '35875110', '01326300']);
  const body = tac + f.string.numeric(6);
  return body + luhnCheckDigit(body);
}

/** National significant number of a mobile (GB/DE/FR) or geographic (US) number. */
function makeNsn(f: Faker, country: Country): string {
  switch (country) {
    case 'US': {
      const area = f.helpers.arrayElement(['212', '312', '415', '617', '206', '303', '512', '404']);
      let exch: string;
      do exch = f.string.numeric({ length: 1, exclude: ['0', '1'] }) + f.string.numeric(2);
      while (exch === '555' || exch.endsWith('11'));
      return area + exch + f.string.numeric(4);
    }
    case 'GB':
      return (
        '7' +
        f.helpers.arrayElement(['7', '8', '9']) +
        f.string.numeric({ length: 1, exclude: ['0'] }) +
        f.string.numeric(7)
      );
    case 'DE':
      return (
        f.helpers.arrayElement(['151', '152', '176', '157']) +
        f.string.numeric({ length: 1, exclude: ['0'] }) +
        f.string.numeric(7)
      );
    case 'FR':
      return f.helpers.arrayElement(['6', '7']) + f.string.numeric({ length: 1, exclude: ['0'] }) + f.string.numeric(7);
  }
}

/** Phone written the way people write it. `style`: national or international, with a few separator habits. */
export function formatPhone(c: Pick<Customer, 'country' | 'nsn'>, style: 'national' | 'intl', variant = 0): string {
  const n = c.nsn;
  switch (c.country) {
    case 'US':
      if (style === 'intl')
        return [
          `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
          `+1-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
          `+1 (${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
        ][variant % 3]!;
      return [
        `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
        `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
        `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`,
      ][variant % 3]!;
    case 'GB':
      if (style === 'intl')
        return [
          `+44 ${n.slice(0, 4)} ${n.slice(4)}`,
          `+44 (0)${n.slice(0, 4)} ${n.slice(4)}`,
          `0044 ${n.slice(0, 4)} ${n.slice(4)}`,
        ][variant % 3]!;
      return [`0${n.slice(0, 4)} ${n.slice(4)}`, `0${n.slice(0, 4)} ${n.slice(4, 7)} ${n.slice(7)}`, `0${n}`][
        variant % 3
      ]!;
    case 'DE':
      if (style === 'intl')
        return [
          `+49 ${n.slice(0, 3)} ${n.slice(3)}`,
          `+49 (0)${n.slice(0, 3)} ${n.slice(3)}`,
          `0049 ${n.slice(0, 3)} ${n.slice(3)}`,
        ][variant % 3]!;
      return [
        `0${n.slice(0, 3)} ${n.slice(3)}`,
        `0${n.slice(0, 3)}/${n.slice(3)}`,
        `0${n.slice(0, 3)}-${n.slice(3, 7)} ${n.slice(7)}`,
      ][variant % 3]!;
    case 'FR': {
      const pairs = n.slice(1).match(/../g)!.join(' ');
      if (style === 'intl') return [`+33 ${n[0]} ${pairs}`, `+33 (0)${n[0]} ${pairs}`, `+33${n}`][variant % 3]!;
      return [`0${n[0]} ${pairs}`, `0${n[0]}.${n.slice(1).match(/../g)!.join('.')}`, `0${n}`][variant % 3]!;
    }
  }
}

/** IMEI as written on boxes and in tickets: plain, TAC-SNR-CD with dashes, or spaces. */
export function formatImei(imei: string, variant: number): string {
  switch (variant % 4) {
    case 0:
      return imei;
    case 1:
      return `${imei.slice(0, 2)}-${imei.slice(2, 8)}-${imei.slice(8, 14)}-${imei.slice(14)}`;
    case 2:
      return `${imei.slice(0, 2)} ${imei.slice(2, 8)} ${imei.slice(8, 14)} ${imei.slice(14)}`;
    default:
      return `${imei.slice(0, 8)} ${imei.slice(8)}`;
  }
}

const ABBREVIATIONS: [RegExp, string][] = [
  [/\bStreet\b/, 'St.'],
  [/\bAvenue\b/, 'Ave'],
  [/\bRoad\b/, 'Rd'],
  [/\bDrive\b/, 'Dr.'],
  [/\bBoulevard\b/, 'Blvd'],
  [/\bLane\b/, 'Ln'],
  [/straße\b/, 'str.'],
  [/Straße\b/, 'Str.'],
  [/^(\d+) rue\b/, '$1, rue'],
  [/\bavenue\b/, 'av.'],
  [/\bboulevard\b/, 'bd'],
];

/** The street line as agents retype it: the usual abbreviations (St., Rd, Str., av. …). */
export function abbreviateStreet(line: string): string {
  for (const [re, to] of ABBREVIATIONS) if (re.test(line)) return line.replace(re, to);
  return line;
}

/** The postal address block as an agent or an invoice writes it; `abbreviate` retypes the street the short way. */
export function formatAddress(c: Customer, oneLine = true, abbreviate = false): string {
  const sep = oneLine ? ', ' : '\n';
  const street = abbreviate ? abbreviateStreet(c.streetLine) : c.streetLine;
  switch (c.country) {
    case 'US':
      return `${street}${sep}${c.city}, ${c.postal}`;
    case 'GB':
      return `${street}${sep}${c.city} ${c.postal}`;
    case 'DE':
    case 'FR':
      return `${street}${sep}${c.postal} ${c.city}`;
  }
}

/** Email as people retype it: sometimes with capitals. */
function retypeEmail(email: string, v: number): string {
  if (v % 3 !== 1) return email;
  const [local, domain] = email.split('@') as [string, string];
  return `${local.replace(/(^|\.)([a-z])/g, (_, d: string, ch: string) => d + ch.toUpperCase())}@${domain[0]!.toUpperCase()}${domain.slice(1)}`;
}

export function generateCustomers(n = 300, seed = 20240514): Customer[] {
  const pick = new Faker({ locale: [en, base], seed });
  const perCountry = Object.fromEntries(COUNTRIES.map((c, i) => [c, fakerFor(c, seed + 17 * (i + 1))])) as Record<
    Country,
    Faker
  >;
  const used = {
    email: new Set<string>(),
    nsn: new Set<string>(),
    imei: new Set<string>(),
    order: new Set<string>(),
    street: new Set<string>(),
    name: new Set<string>(),
  };
  const out: Customer[] = [];
  for (let i = 0; i < n; i++) {
    const country = COUNTRIES[i % COUNTRIES.length]!;
    const f = perCountry[country];
    let first: string, last: string, fullName: string;
    do {
      first = i % 7 === 3 ? SHARED_FIRST[(i >> 3) % SHARED_FIRST.length]! : f.person.firstName();
      last = f.person.lastName();
      fullName = `${first} ${last}`;
    } while (used.name.has(asciiFold(fullName)) || /[^\p{L}\s'-]/u.test(fullName));
    used.name.add(asciiFold(fullName));

    let email: string;
    do {
      const domain = i % 10 === 9 ? `${asciiFold(last)}-family.net` : f.helpers.arrayElement(EMAIL_DOMAINS[country]);
      const local = f.helpers.arrayElement([
        `${asciiFold(first)}.${asciiFold(last)}`,
        `${asciiFold(first)[0]}${asciiFold(last)}`,
        `${asciiFold(first)}${asciiFold(last)}${f.number.int({ min: 1, max: 99 })}`,
        `${asciiFold(last)}.${asciiFold(first)}`,
      ]);
      email = `${local}@${domain}`;
    } while (used.email.has(email));
    used.email.add(email);

    let nsn: string;
    do nsn = makeNsn(f, country);
    while (used.nsn.has(nsn));
    used.nsn.add(nsn);

    let imei: string;
    do imei = makeImei(f);
    while (used.imei.has(imei));
    used.imei.add(imei);

    let orderId: string;
    do orderId = `ORD-${f.string.numeric({ length: 6, allowLeadingZeros: false })}`;
    while (used.order.has(orderId));
    used.order.add(orderId);

    const where = f.helpers.arrayElement(CITIES[country]);
    let street: string, houseNo: string, streetLine: string;
    do {
      street = f.helpers.arrayElement(STREETS[country]);
      houseNo = String(f.number.int({ min: 1, max: country === 'US' ? 4999 : 180 }));
      streetLine = country === 'DE' ? `${street} ${houseNo}` : `${houseNo} ${street}`;
    } while (used.street.has(streetLine));
    used.street.add(streetLine);

    const c: Customer = {
      id: `C${String(10001 + i)}`,
      country,
      first,
      last,
      fullName,
      email,
      nsn,
      phoneCsv: '',
      street,
      houseNo,
      streetLine,
      city: where.city,
      postal: where.postal(f),
      imei,
      orderId,
    };
    c.phoneCsv = formatPhone(c, pick.datatype.boolean() ? 'intl' : 'national', i);
    out.push(c);
  }
  // A household: customer #2 lives at customer #1's address (same street line, city and postal code).
  if (out.length >= 10) {
    const a = out[4]!;
    const b = out[8]!; // same country (i % 4)
    b.street = a.street;
    b.houseNo = a.houseNo;
    b.streetLine = a.streetLine;
    b.city = a.city;
    b.postal = a.postal;
  }
  return out;
}

/** The households (customer id pairs sharing a postal address). */
export function households(customers: readonly Customer[]): [string, string][] {
  const byAddr = new Map<string, string[]>();
  for (const c of customers) {
    const k = `${c.streetLine}|${c.postal}|${c.city}`;
    byAddr.set(k, [...(byAddr.get(k) ?? []), c.id]);
  }
  return [...byAddr.values()].filter((v) => v.length > 1).map((v) => [v[0]!, v[1]!]);
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function directoryCsv(customers: readonly Customer[]): string {
  const head = 'customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id';
  const rows = customers.map((c) =>
    [c.id, c.fullName, c.email, c.phoneCsv, c.streetLine, c.city, c.postal, c.country, c.imei, c.orderId]
      .map(csvCell)
      .join(','),
  );
  return [head, ...rows].join('\n') + '\n';
}

/** Writes the directory CSV into `dir`; returns its path. */
export function writeDirectoryCsv(customers: readonly Customer[], dir: string): string {
  const file = join(dir, 'customers.csv');
  writeFileSync(file, directoryCsv(customers));
  return file;
}

// ---------------------------------------------------------------------------------------------------------
// labelled messages
// ---------------------------------------------------------------------------------------------------------

export type Expected = 'deliver' | 'tag' | 'quarantine' | 'reject';
export type PlantKind = 'email' | 'phone' | 'imei' | 'order_id' | 'full_name' | 'address';
export type Where = 'subject' | 'body' | 'link' | 'attachment' | 'header';

export interface Planted {
  kind: PlantKind;
  customer: string;
  where: Where;
}

export interface Label {
  expected: Expected;
  /** 'legit': must reach the recipient (deliver or tag); 'leak': must be held (quarantine or reject). */
  group: 'legit' | 'leak';
  category: string;
  planted: Planted[];
  /** Own-data mail: the single customer the mail is addressed to and whose data it carries. */
  ownData?: string;
}

export interface LabelledMessage {
  id: string;
  raw: Buffer;
  envelope: { mailFrom: string; rcptTo: string[] };
  label: Label;
}

export interface Corpus {
  customers: Customer[];
  messages: LabelledMessage[];
}

const AGENT = 'help@support.example';
const FROM = 'Example Shop Support <help@support.example>';
const AGENTS = ['Sam', 'Jo', 'Alex', 'Robin', 'Kim', 'Chris'];
const ORG_SIGNATURE: Record<Country, string> = {
  US: 'Example Shop Inc. · 1 Commerce Plaza, Suite 400, Springfield, IL 62701 · +1 800 555 0142',
  GB: 'Example Shop Ltd · 20 Fenchurch Avenue, London EC3M 5BT · +44 20 7946 0321',
  DE: 'Example Shop GmbH · Friedrichstraße 68, 10117 Berlin · Tel. +49 30 2360 8800',
  FR: 'Example Shop SAS · 8 place Vendôme, 75001 Paris · +33 1 84 88 06 50',
};
const EXTERNAL_OTHERS = [
  'procurement@acme-industries.com',
  'j.whitfield@northwind-traders.co.uk',
  'einkauf@stadtwerke-beispielstadt.de',
  'contact@atelier-lumiere.fr',
  'newcustomer.2024@gmail.com',
  'office@brightlane-consulting.com',
  'info@harbourview-hotels.com',
];
const PARTNERS_UNKNOWN = [
  'service@fixit-repairs.com',
  'claims@parcel-insurance-group.com',
  'returns@thirdparty-logistics.net',
  'support@device-refurbishers.de',
];
const TYPO_DOMAINS = [
  'gmial.com',
  'gmaill.com',
  'outlok.com',
  'outllook.com',
  'hotmial.com',
  'hotmal.com',
  'gmail.con',
  'yahooo.com',
];

function greeting(c: Customer, v: number): string {
  switch (c.country) {
    case 'DE':
      return v % 2 ? `Hallo ${c.first},` : `Sehr geehrte/r ${c.fullName},`;
    case 'FR':
      return v % 2 ? `Bonjour ${c.first},` : `Bonjour ${c.fullName},`;
    default:
      return v % 2 ? `Hi ${c.first},` : `Dear ${c.fullName},`;
  }
}

function signOff(c: Country, agent: string): string {
  return `\n\nKind regards,\n${agent}\nExample Shop Customer Care\n${ORG_SIGNATURE[c]}\nhttps://www.shop.example/help`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function htmlOf(text: string): string {
  return `<html><body>${text
    .split(/\n\n+/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n')}</body></html>`;
}

/** 15 digits that fail the Luhn check (serials, reference numbers). */
function nonLuhn15(f: Faker): string {
  const body = f.string.numeric({ length: 14, allowLeadingZeros: false });
  const good = Number(luhnCheckDigit(body));
  return body + String((good + 1 + f.number.int(7)) % 10);
}

function tracking(f: Faker): string {
  return f.helpers.arrayElement([
    () => `1Z${f.string.alphanumeric({ length: 6, casing: 'upper' })}${f.string.numeric(10)}`,
    () => `JJD${f.string.numeric(15)}`,
    () => `LX${f.string.numeric(9)}DE`,
    () =>
      `9400 ${f.string.numeric(4)} ${f.string.numeric(4)} ${f.string.numeric(4)} ${f.string.numeric(4)} ${f.string.numeric(2)}`,
  ])();
}

interface Ctx {
  f: Faker;
  customers: Customer[];
  i: number;
}

/** Mail options → raw bytes with a fixed date, Message-ID and boundary (deterministic output). */
async function build(ctx: Ctx, opts: Mail.Options): Promise<Buffer> {
  return crlf(
    await compose({
      from: FROM,
      date: new Date(Date.UTC(2024, 4, 14, 9, 30) + ctx.i * 60_000),
      messageId: `<corpus-${ctx.i}@support.example>`,
      baseBoundary: `corpus${ctx.i}`,
      ...opts,
    } as Mail.Options),
  );
}

/** RFC 5322 line ends: every bare LF (text parts as written) becomes CRLF. Byte-safe (latin1 round trip). */
export function crlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

function addr(c: Customer): string {
  return `"${c.fullName}" <${c.email}>`;
}

type Maker = (ctx: Ctx) => Promise<Omit<LabelledMessage, 'id'>>;

/** Any customer; `not` excludes customers (and their household members). */
function other(ctx: Ctx, ...not: Customer[]): Customer {
  const hh = households(ctx.customers);
  const bad = new Set(not.map((c) => c.id));
  for (const [a, b] of hh) {
    if (bad.has(a) || bad.has(b)) {
      bad.add(a);
      bad.add(b);
    }
  }
  let c: Customer;
  do c = ctx.f.helpers.arrayElement(ctx.customers);
  while (bad.has(c.id));
  return c;
}

function some(ctx: Ctx): Customer {
  return ctx.f.helpers.arrayElement(ctx.customers);
}

function own(c: Customer, kinds: PlantKind[], where: Where = 'body'): Planted[] {
  return kinds.map((kind) => ({ kind, customer: c.id, where }));
}

function invoiceLines(c: Customer, f: Faker, v: number): string[] {
  const price = f.commerce.price({ min: 19, max: 1400 });
  return [
    `Invoice ${f.string.numeric(8)} - Example Shop`,
    `Bill to: ${c.fullName}`,
    `Address: ${formatAddress(c)}`,
    `Phone: ${formatPhone(c, v % 2 ? 'intl' : 'national', v)}`,
    `Order: ${c.orderId}`,
    `Device IMEI: ${formatImei(c.imei, v)}`,
    `Total: ${price} EUR incl. VAT`,
  ];
}

const INVOICE_KINDS: PlantKind[] = ['full_name', 'address', 'phone', 'order_id', 'imei'];

/** PDFs here use the base-14 Helvetica font (no embedded Unicode): invoice software writes ASCII names. */
function pdfSafe(lines: string[]): string[] {
  return lines.map((l) =>
    l
      .replace(/ß/g, 'ss')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^\x20-\x7e]/g, '-'),
  );
}

/** Two invoice lines per PDF page line (each page of the fixture PDF holds one line that must fit the page). */
function pairs(lines: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < lines.length; k += 2) out.push(lines.slice(k, k + 2).join('   '));
  return out;
}

// ---- legitimate ----------------------------------------------------------------------------------------

const ownText: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const agent = f.helpers.arrayElement(AGENTS);
  const kinds: PlantKind[] = ['order_id', 'phone', 'address', 'imei'].filter(
    (_, k) => (i >> k) % 2 === 0 || k === 0,
  ) as PlantKind[];
  const lines = [greeting(c, i), '', `thank you for contacting us about your order ${c.orderId}.`];
  if (kinds.includes('phone'))
    lines.push(`We tried to call you on ${formatPhone(c, i % 3 ? 'national' : 'intl', i)} but could not reach you.`);
  if (kinds.includes('address'))
    lines.push(`The replacement will be shipped to:\n${formatAddress(c, i % 2 === 0, i % 3 === 0)}`);
  if (kinds.includes('imei')) lines.push(`We registered the repair for your device (IMEI ${formatImei(c.imei, i)}).`);
  lines.push(`Your confirmation was sent to ${c.email}.`);
  const text = lines.join('\n') + signOff(c.country, agent);
  return {
    raw: await build(ctx, { to: addr(c), subject: `Re: Your order ${c.orderId}`, text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'deliver',
      group: 'legit',
      category: 'own-data-text',
      planted: [...own(c, [...kinds, 'email']), { kind: 'order_id', customer: c.id, where: 'subject' }],
      ownData: c.id,
    },
  };
};

const ownHtml: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const text =
    `${greeting(c, i + 1)}\n\nyour account details as requested:\n` +
    `Name: ${c.fullName}\nE-mail: ${c.email}\nPhone: ${formatPhone(c, 'intl', i)}\nDelivery address: ${formatAddress(c)}\n\n` +
    `Order ${c.orderId} is on its way.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  const htmlOnly = i % 2 === 0;
  return {
    raw: await build(ctx, {
      to: addr(c),
      subject: 'Your account details',
      html: htmlOf(text),
      ...(htmlOnly ? {} : { text }),
    }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'deliver',
      group: 'legit',
      category: 'own-data-html',
      planted: own(c, ['full_name', 'email', 'phone', 'address', 'order_id']),
      ownData: c.id,
    },
  };
};

const ownInvoice: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const lines = invoiceLines(c, f, i);
  const kind = i % 3;
  const attachment =
    kind === 0
      ? { filename: `invoice-${c.orderId}.pdf`, content: makePdf(pdfSafe(lines)), contentType: 'application/pdf' }
      : kind === 1
        ? {
            filename: `invoice-${c.orderId}.docx`,
            content: makeDocx(lines),
            contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          }
        : {
            filename: `invoice-${c.orderId}.xlsx`,
            content: await makeXlsx({ Invoice: lines.map((l) => l.split(': ')) }),
            contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          };
  const text =
    `${greeting(c, i)}\n\nplease find your invoice attached.` + signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject: `Your invoice for ${c.orderId}`, text, attachments: [attachment] }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'deliver',
      group: 'legit',
      category: 'own-invoice',
      planted: own(c, INVOICE_KINDS, 'attachment'),
      ownData: c.id,
    },
  };
};

const householdOwn: Maker = async (ctx) => {
  const { f, i } = ctx;
  const hh = households(ctx.customers);
  const pair = hh[i % hh.length]!;
  const c = ctx.customers.find((x) => x.id === pair[i % 2])!;
  const text =
    `${greeting(c, i)}\n\nyour parcel for order ${c.orderId} will be delivered to ${formatAddress(c)} on Friday.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Delivery update', text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'deliver',
      group: 'legit',
      category: 'own-data-household',
      planted: own(c, ['order_id', 'address']),
      ownData: c.id,
    },
  };
};

const internalEscalation: Maker = async (ctx) => {
  const { f, i } = ctx;
  const n = 1 + (i % 7);
  const cs = f.helpers.arrayElements(ctx.customers, n);
  const body = cs
    .map(
      (c, k) =>
        `${k + 1}. ${c.fullName} <${c.email}>, ${formatPhone(c, k % 2 ? 'intl' : 'national', k)}, order ${c.orderId}, IMEI ${formatImei(c.imei, k)}`,
    )
    .join('\n');
  const text = `Hi team,\n\nplease look into these escalations, the customers are waiting for a callback:\n\n${body}\n\nThanks,\n${f.helpers.arrayElement(AGENTS)}`;
  const to = f.helpers.arrayElement(['tier2@support.example', 'billing@support.example', 'teamlead@support.example']);
  const csv =
    i % 3 === 0
      ? [
          {
            filename: 'escalations.csv',
            content:
              'name,email,phone\n' + cs.map((c) => `${c.fullName},${c.email},${formatPhone(c, 'intl')}`).join('\n'),
          },
        ]
      : [];
  return {
    raw: await build(ctx, { to, subject: `Escalation batch ${f.string.numeric(4)}`, text, attachments: csv }),
    envelope: { mailFrom: AGENT, rcptTo: [to] },
    label: {
      expected: 'deliver',
      group: 'legit',
      category: 'internal-escalation',
      planted: cs.flatMap((c) => own(c, ['email', 'phone', 'order_id', 'imei'])),
    },
  };
};

const neutralNotice: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const text =
    `${greeting(c, i)}\n\nplease note that our customer care hours change from ${f.date.weekday()} on: we are available 8:00-18:00 (CET).\n` +
    `Prices of extended warranties start at ${f.commerce.price({ min: 9, max: 99 })} EUR. Check https://www.shop.example/warranty?ref=newsletter&utm_campaign=2024-05 for details.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  const opts: Mail.Options = i % 3 === 0 ? { html: htmlOf(text) } : { text };
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Changes to our service hours', ...opts }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: { expected: 'deliver', group: 'legit', category: 'neutral-notice', planted: [], ownData: c.id },
  };
};

const nonDirectoryReply: Maker = async (ctx) => {
  const { f, i } = ctx;
  const to = EXTERNAL_OTHERS[i % EXTERNAL_OTHERS.length]!;
  const country = COUNTRIES[i % 4]!;
  const text =
    `Hello,\n\nthank you for your interest in a business account. Our volume pricing starts at ${f.commerce.price({ min: 100, max: 900 })} USD per month ` +
    `for up to ${f.number.int({ min: 10, max: 50 })} devices; the offer is valid until ${f.date.soon({ days: 30, refDate: '2024-05-14' }).toISOString().slice(0, 10)}.\n` +
    `Your sample shipment has tracking number ${tracking(f)}.\nQuote reference ${nonLuhn15(f)}.` +
    signOff(country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to, subject: 'Your business account enquiry', text }),
    envelope: { mailFrom: AGENT, rcptTo: [to] },
    label: { expected: 'deliver', group: 'legit', category: 'non-directory-reply', planted: [] },
  };
};

const firstNameOnly: Maker = async (ctx) => {
  const { f, i } = ctx;
  const name = SHARED_FIRST[i % SHARED_FIRST.length]!;
  const namesakes = ctx.customers.filter((c) => c.first === name);
  const toCustomer = i % 2 === 0 && namesakes.length > 0;
  const c = toCustomer ? namesakes[i % namesakes.length]! : undefined;
  const to = c
    ? c.email
    : `${name.toLowerCase()}.${f.string.alpha({ length: 5, casing: 'lower' })}@brightlane-consulting.com`;
  const text =
    `Hi ${name},\n\nthanks for getting back to us. As discussed, ${name}, the refund will be processed within 5 business days.\n` +
    `${name}, if anything else comes up, just reply to this e-mail.` +
    signOff(c?.country ?? 'US', f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: c ? `${name} <${c.email}>` : to, subject: 'Your refund', text }),
    envelope: { mailFrom: AGENT, rcptTo: [to] },
    label: {
      expected: 'deliver',
      group: 'legit',
      category: 'first-name-only',
      planted: [],
      ...(c ? { ownData: c.id } : {}),
    },
  };
};

const noiseNumbers: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const text =
    `${greeting(c, i)}\n\nyour order ${c.orderId} shipped on ${f.date.recent({ days: 10, refDate: '2024-05-14' }).toISOString().slice(0, 10)}.\n` +
    `Tracking number: ${tracking(f)}\nParcel serial: ${nonLuhn15(f)} (${formatImei(nonLuhn15(f), i)})\n` +
    `Subtotal ${f.commerce.price()} EUR, shipping 4.99 EUR, total ${f.commerce.price({ min: 100, max: 2000 })} EUR.\n` +
    `Warehouse batch 2024-05-${String(1 + (i % 28)).padStart(2, '0')} / lot ${f.string.numeric(7)}.\n` +
    `Questions? Call our hotline ${ORG_SIGNATURE[c.country].split(' · ').pop()} or write to ${AGENT}.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject: `Shipping confirmation ${c.orderId}`, text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'deliver',
      group: 'legit',
      category: 'numbers-noise',
      planted: [...own(c, ['order_id']), { kind: 'order_id', customer: c.id, where: 'subject' }],
      ownData: c.id,
    },
  };
};

const bccNotice: Maker = async (ctx) => {
  const { f, i } = ctx;
  const cs = f.helpers.arrayElements(ctx.customers, 3 + (i % 8));
  const text =
    `Dear customer,\n\nwe are performing maintenance on our order system on ${f.date.soon({ days: 20, refDate: '2024-05-14' }).toISOString().slice(0, 10)}. ` +
    `Orders placed during the window will be processed the next morning.` +
    signOff('GB', f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: 'Example Shop <noreply@support.example>', subject: 'Planned maintenance', text }),
    envelope: { mailFrom: AGENT, rcptTo: cs.map((c) => c.email) },
    label: { expected: 'deliver', group: 'legit', category: 'bcc-notice', planted: [] },
  };
};

const weakNameMention: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const text =
    `${greeting(c, i)}\n\nthank you for your patience while we looked into your request for order ${c.orderId}. ` +
    `We checked the shipment and the courier confirmed the delivery attempt; it is now at the local depot and will be ` +
    `handed over tomorrow morning between 8:00 and 12:00.\n\nThe gift message you asked for will read: "Happy birthday, from ${o.fullName}".` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Your gift order', text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'tag',
      group: 'legit',
      category: 'weak-name-mention',
      planted: [...own(c, ['order_id']), ...own(o, ['full_name'])],
    },
  };
};

// ---- leaks ---------------------------------------------------------------------------------------------

const wrongTicket: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const text =
    `${greeting(c, i)}\n\nthe replacement for your order has been approved and will ship this week.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  const subject = f.helpers.arrayElement([
    `Re: Order ${o.orderId}`,
    `RE: [${o.orderId}] Replacement`,
    `Your request about #${o.orderId.toLowerCase()}`,
  ]);
  return {
    raw: await build(ctx, { to: addr(c), subject, text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'quarantine',
      group: 'leak',
      category: 'wrong-ticket',
      planted: own(o, ['order_id'], 'subject'),
    },
  };
};

const quotedThread: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const quote = [
    `On Mon, 13 May 2024 at 18:${String(10 + (i % 50))}, ${o.fullName} <${retypeEmail(o.email, i)}> wrote:`,
    `> Hello, my phone stopped charging. Please call me back on ${formatPhone(o, i % 2 ? 'intl' : 'national', i)}.`,
    '> Thanks',
  ].join('\n');
  const text =
    `${greeting(c, i)}\n\nwe are sorry to hear that. A courier will collect the device on Thursday.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS)) +
    '\n\n' +
    quote;
  const opts: Mail.Options = i % 3 === 0 ? { text, html: htmlOf(text).replace(/&gt; /g, '') } : { text };
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Re: Phone not charging', ...opts }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'quarantine',
      group: 'leak',
      category: 'quoted-thread',
      planted: own(o, ['email', 'phone', 'full_name']),
    },
  };
};

function exportRows(cs: Customer[]): string[][] {
  return [
    ['customer', 'email', 'phone', 'order'],
    ...cs.map((c, k) => [c.fullName, c.email, formatPhone(c, k % 2 ? 'intl' : 'national', k), c.orderId]),
  ];
}

const bulkCsv: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const cs = f.helpers.arrayElements(
    ctx.customers.filter((x) => x.id !== c.id),
    5 + (i % 20),
  );
  const csv = exportRows(cs)
    .map((r) => r.map(csvCell).join(i % 2 ? ';' : ','))
    .join('\r\n');
  const zipIt = i % 4 === 3;
  const attachments = zipIt
    ? [{ filename: 'verification.zip', content: makeZip({ 'customers.csv': csv }) }]
    : [{ filename: 'purchases-to-verify.csv', content: csv, contentType: 'text/csv' }];
  const text =
    `${greeting(c, i)}\n\nto verify your purchase, please confirm your entry in the attached list.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Please verify your purchase', text, attachments }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'reject',
      group: 'leak',
      category: 'bulk-csv',
      planted: cs.flatMap((x) => own(x, ['email', 'phone', 'order_id'], 'attachment')),
    },
  };
};

const bulkXlsx: Maker = async (ctx) => {
  const { f, i } = ctx;
  const to = i % 3 === 0 ? EXTERNAL_OTHERS[i % EXTERNAL_OTHERS.length]! : undefined;
  const c = to ? undefined : some(ctx);
  const cs = f.helpers.arrayElements(
    ctx.customers.filter((x) => x.id !== c?.id),
    5 + (i % 30),
  );
  const xlsx = await makeXlsx({ Export: exportRows(cs) });
  const text = `Hello,\n\nattached the customer export you asked for.` + signOff('DE', f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, {
      to: c ? addr(c) : to,
      subject: 'Customer export',
      text,
      attachments: [
        {
          filename: 'export.xlsx',
          content: xlsx,
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
      ],
    }),
    envelope: { mailFrom: AGENT, rcptTo: [c ? c.email : to!] },
    label: {
      expected: 'reject',
      group: 'leak',
      category: 'bulk-xlsx',
      planted: cs.flatMap((x) => own(x, ['email', 'phone', 'order_id'], 'attachment')),
    },
  };
};

function foreignInvoice(type: 'pdf' | 'docx' | 'xlsx'): Maker {
  return async (ctx) => {
    const { f, i } = ctx;
    const c = some(ctx);
    const o = other(ctx, c);
    const lines = invoiceLines(o, f, i);
    const attachment =
      type === 'pdf'
        ? {
            filename: 'invoice.pdf',
            content: makePdf(i % 2 ? pdfSafe(lines) : pairs(pdfSafe(lines))),
            contentType: 'application/pdf',
          }
        : type === 'docx'
          ? {
              filename: 'invoice.docx',
              content: makeDocx(lines),
              contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
            }
          : {
              filename: 'invoice.xlsx',
              content: await makeXlsx({ Invoice: lines.map((l) => l.split(': ')) }),
              contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            };
    const text =
      `${greeting(c, i)}\n\nplease find your invoice attached.` + signOff(c.country, f.helpers.arrayElement(AGENTS));
    return {
      raw: await build(ctx, { to: addr(c), subject: 'Your invoice', text, attachments: [attachment] }),
      envelope: { mailFrom: AGENT, rcptTo: [c.email] },
      label: {
        expected: 'quarantine',
        group: 'leak',
        category: `foreign-invoice-${type}`,
        planted: own(o, INVOICE_KINDS, 'attachment'),
      },
    };
  };
}

const ccExposure: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const extra = i % 3 === 0 ? [other(ctx, c, o)] : [];
  const text =
    `Dear customers,\n\nyour pre-orders are confirmed; we will ship as soon as stock arrives.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  const inTo = i % 2 === 0;
  return {
    raw: await build(ctx, {
      to: inTo ? [addr(c), addr(o), ...extra.map(addr)] : addr(c),
      ...(inTo ? {} : { cc: [addr(o), ...extra.map(addr)] }),
      subject: 'Your pre-order',
      text,
    }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email, o.email, ...extra.map((x) => x.email)] },
    label: { expected: 'quarantine', group: 'leak', category: 'cc-exposure', planted: [] },
  };
};

const typoDomain: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const local = c.email.split('@')[0]!;
  const to = `${local}@${TYPO_DOMAINS[i % TYPO_DOMAINS.length]!}`;
  const withData = i % 2 === 0;
  const text =
    `${greeting(c, i)}\n\n` +
    (withData
      ? `your new phone (IMEI ${formatImei(c.imei, i)}) for order ${c.orderId} is ready for pickup.`
      : 'your request has been received; we will reply within two business days.') +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: `"${c.fullName}" <${to}>`, subject: 'Your request', text }),
    envelope: { mailFrom: AGENT, rcptTo: [to] },
    label: {
      expected: 'quarantine',
      group: 'leak',
      category: 'typo-domain',
      planted: withData ? own(c, ['imei', 'order_id']) : [],
    },
  };
};

const dataInLink: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const v = i % 4;
  const url =
    v === 0
      ? `https://pay.example/checkout?email=${encodeURIComponent(c.email)}&phone=${encodeURIComponent(formatPhone(c, 'intl', i))}`
      : v === 1
        ? `https://pay.example/p?order=${c.orderId}&name=${encodeURIComponent(c.fullName)}&imei=${c.imei}`
        : v === 2
          ? `https://invoices.shop.example/view/${c.orderId}?lang=en`
          : `https://pay.example/checkout?customer=${encodeURIComponent(c.email)}&amount=${f.commerce.price()}`;
  const planted: Planted[] =
    v === 0
      ? own(c, ['email', 'phone'], 'link')
      : v === 1
        ? own(c, ['order_id', 'imei'], 'link')
        : v === 2
          ? own(c, ['order_id'], 'link')
          : own(c, ['email'], 'link');
  const text =
    `${greeting(c, i)}\n\nplease complete your payment here: ${url}\n\nThe link is valid for 7 days.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  const html = htmlOf(text.replace(url, 'LINK')).replace('LINK', `<a href="${esc(url)}">Pay now</a>`);
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Complete your payment', ...(i % 2 ? { html } : { text }) }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    // DESIGN.md (links): the recipient's own phone, IMEI or name in a URL is held; their own email or order id
    // alone ("view your order", a checkout for their address) is ordinary customer care and delivered
    label:
      v < 2
        ? { expected: 'quarantine', group: 'leak', category: 'data-in-link', planted }
        : { expected: 'deliver', group: 'legit', category: 'own-id-in-link', planted },
  };
};

const phoneFormats: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const phone = formatPhone(o, i % 2 ? 'intl' : 'national', i >> 1);
  const text =
    `${greeting(c, i)}\n\nwe have updated your callback number to ${phone} as requested.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Callback number updated', text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: { expected: 'quarantine', group: 'leak', category: 'foreign-phone', planted: own(o, ['phone']) },
  };
};

const imeiFormats: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const text =
    `${greeting(c, i)}\n\nthe device with IMEI ${formatImei(o.imei, i)} has been unlocked for you.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Device unlocked', text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: { expected: 'quarantine', group: 'leak', category: 'foreign-imei', planted: own(o, ['imei']) },
  };
};

function encodedBody(enc: 'base64' | 'quoted-printable'): Maker {
  return async (ctx) => {
    const { f, i } = ctx;
    const c = some(ctx);
    const o = other(ctx, c);
    const text =
      `${greeting(c, i)}\n\nwir haben Ihre Anfrage geprüft – die Rücksendung ist genehmigt. Für Rückfragen erreichen Sie den Kunden unter ` +
      `${retypeEmail(o.email, i)} oder ${formatPhone(o, 'intl', i)}; Auftrag ${i % 4 === 1 ? o.orderId.toLowerCase() : o.orderId}.` +
      signOff(c.country, f.helpers.arrayElement(AGENTS));
    let raw: Buffer;
    if (i % 2 === 0) {
      raw = await build(ctx, { to: addr(c), subject: 'Ihre Rücksendung', text, textEncoding: enc } as Mail.Options);
    } else {
      // hand-written transfer encoding, as some helpdesk tools emit it
      const bytes = Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');
      const body =
        enc === 'base64'
          ? bytes.toString('base64').replace(/.{76}/g, '$&\r\n')
          : [...bytes]
              .map((b) =>
                b === 0x0d || b === 0x0a
                  ? String.fromCharCode(b)
                  : b > 126 || b === 61 || (b < 32 && b !== 9)
                    ? '=' + b.toString(16).toUpperCase().padStart(2, '0')
                    : String.fromCharCode(b),
              )
              .join('')
              .split('\r\n')
              .map((l) => l.replace(/(.{70}[^=]{0,2})(?=.)/g, '$1=\r\n'))
              .join('\r\n');
      raw = rawMail(
        [
          `From: ${FROM}`,
          `To: ${addr(c)}`,
          'Subject: =?UTF-8?Q?Ihre_R=C3=BCcksendung?=',
          `Message-ID: <corpus-${i}@support.example>`,
          'Date: Tue, 14 May 2024 09:30:00 +0000',
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          `Content-Transfer-Encoding: ${enc}`,
        ],
        Buffer.from(body, 'latin1'),
      );
    }
    return {
      raw,
      envelope: { mailFrom: AGENT, rcptTo: [c.email] },
      label: {
        expected: 'quarantine',
        group: 'leak',
        category: enc === 'base64' ? 'base64-body' : 'qp-body',
        planted: own(o, ['email', 'phone', 'order_id']),
      },
    };
  };
}

const htmlOnlyLeak: Maker = async (ctx) => {
  const { i } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const html =
    `<html><body><p>${esc(greeting(c, i))}</p><p>here is the delivery status you asked about:</p>` +
    `<table border="1"><tr><th>Recipient</th><th>Address</th><th>Phone</th></tr>` +
    `<tr><td>${esc(o.fullName)}</td><td>${esc(o.streetLine)}<br>${esc(formatAddress(o).slice(o.streetLine.length + 2))}</td><td>${esc(formatPhone(o, 'national', i))}</td></tr></table>` +
    `<p>Kind regards,<br>Example Shop</p></body></html>`;
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Delivery status', html }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: {
      expected: 'quarantine',
      group: 'leak',
      category: 'html-only',
      planted: own(o, ['full_name', 'address', 'phone']),
    },
  };
};

const subjectData: Maker = async (ctx) => {
  const { f, i } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const v = i % 3;
  const subject =
    v === 0
      ? `Callback request ${formatPhone(o, 'intl', i)}`
      : v === 1
        ? `Fwd: account ${o.email}`
        : `IMEI ${formatImei(o.imei, i)} blocked`;
  const kind: PlantKind = v === 0 ? 'phone' : v === 1 ? 'email' : 'imei';
  const text = `${greeting(c, i)}\n\nsee below.` + signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject, text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: { expected: 'quarantine', group: 'leak', category: 'subject-data', planted: own(o, [kind], 'subject') },
  };
};

const greetingDrift: Maker = async (ctx) => {
  const { f } = ctx;
  const c = some(ctx);
  const o = other(ctx, c);
  const text =
    `${greeting(o, 0)}\n\nyour return has been received and the refund is on its way.` +
    signOff(c.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to: addr(c), subject: 'Your return', text }),
    envelope: { mailFrom: AGENT, rcptTo: [c.email] },
    label: { expected: 'quarantine', group: 'leak', category: 'greeting-drift', planted: own(o, ['full_name']) },
  };
};

const unknownRecipient: Maker = async (ctx) => {
  const { f, i } = ctx;
  const o = some(ctx);
  const to = PARTNERS_UNKNOWN[i % PARTNERS_UNKNOWN.length]!;
  const text =
    `Hello,\n\nplease collect the following device for repair:\n${o.fullName}\n${formatAddress(o, false)}\n` +
    `Tel. ${formatPhone(o, i % 2 ? 'intl' : 'national', i)}\nIMEI ${formatImei(o.imei, i)}` +
    signOff(o.country, f.helpers.arrayElement(AGENTS));
  return {
    raw: await build(ctx, { to, subject: 'Repair pickup', text }),
    envelope: { mailFrom: AGENT, rcptTo: [to] },
    label: {
      expected: 'quarantine',
      group: 'leak',
      category: 'unknown-recipient',
      planted: own(o, ['full_name', 'address', 'phone', 'imei']),
    },
  };
};

const PLAN: [Maker, number][] = [
  // legitimate
  [ownText, 40],
  [ownHtml, 32],
  [ownInvoice, 33],
  [householdOwn, 6],
  [internalEscalation, 30],
  [neutralNotice, 30],
  [nonDirectoryReply, 30],
  [firstNameOnly, 30],
  [noiseNumbers, 30],
  [bccNotice, 30],
  [weakNameMention, 30],
  // leaks
  [wrongTicket, 30],
  [quotedThread, 30],
  [bulkCsv, 30],
  [bulkXlsx, 30],
  [foreignInvoice('pdf'), 30],
  [foreignInvoice('docx'), 30],
  [foreignInvoice('xlsx'), 30],
  [ccExposure, 30],
  [typoDomain, 32],
  [dataInLink, 32],
  [phoneFormats, 36],
  [imeiFormats, 32],
  [encodedBody('base64'), 30],
  [encodedBody('quoted-printable'), 30],
  [htmlOnlyLeak, 30],
  [subjectData, 30],
  [greetingDrift, 30],
  [unknownRecipient, 30],
];

export interface CorpusOptions {
  customers?: number;
  seed?: number;
}

export async function generateCorpus(opts: CorpusOptions = {}): Promise<Corpus> {
  const seed = opts.seed ?? 20240514;
  const customers = generateCustomers(opts.customers ?? 300, seed);
  const messages: LabelledMessage[] = [];
  let i = 0;
  for (const [k, [make, count]] of PLAN.entries()) {
    // one RNG per category: adding messages to one category never shifts another
    const f = new Faker({ locale: [en, base], seed: seed * 31 + k });
    for (let n = 0; n < count; n++, i++) {
      const m = await make({ f, customers, i });
      messages.push({ id: `m${String(i).padStart(4, '0')}-${m.label.category}`, ...m });
    }
  }
  return { customers, messages };
}

/**
 * ZIP-based attachments (DOCX, XLSX, ZIP) carry their build time; with a fixed clock the corpus is reproducible
 * byte for byte. Only Date is faked (timers and I/O run normally).
 */
export async function generateCorpusAtFixedTime(opts: CorpusOptions = {}): Promise<Corpus> {
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2024-05-14T09:00:00Z') });
  try {
    return await generateCorpus(opts);
  } finally {
    vi.useRealTimers();
  }
}
