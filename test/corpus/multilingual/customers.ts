/**
 * Customers of the multilingual corpus and the directory CSV a CRM would export for them: names with particles
 * and diacritics, local street forms, national phones, provider and IDN mail domains, IBANs (mod-97), cards and
 * IMEIs (Luhn), CRM-style order ids; rows with `LAST, First` or ALL CAPS names, households and namesakes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import {
  Faker,
  base,
  de,
  en,
  en_GB,
  en_US,
  es,
  fr,
  it,
  nl,
  pl,
  pt_PT,
  ru,
  sv,
  tr,
  vi,
  type LocaleDefinition,
} from '@faker-js/faker';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import {
  CITIES,
  COMPANY_DOMAIN,
  COUNTRIES,
  DIAL,
  EMAIL_DOMAINS,
  IDN_DOMAINS,
  NEAR_PROVIDER_DOMAINS,
  ODD_STREETS,
  formatPhone,
  makeIban,
  makeNsn,
  makeOrderId,
  makeStreet,
  type CC,
} from './countries.js';

export interface MCustomer {
  id: string;
  country: CC;
  gender: 'f' | 'm';
  first: string;
  /** Family name incl. particles ("van der Berg", "García López", "dos Santos"). */
  last: string;
  /** The name as written in running text (VN: family name first). */
  fullName: string;
  /** The name as the CRM export holds it (natural, `LAST, First`, `Last, First` or ALL CAPS). */
  csvName: string;
  /** The address as the directory holds it (IDN domains in Unicode or punycode, as the CRM stored them). */
  email: string;
  /** Unicode and ASCII spelling when the domain is an IDN. */
  idn?: { unicode: string; ascii: string };
  nsn: string;
  phoneCsv: string;
  streetCsv: string;
  /** Equivalent forms of the street line; the CSV form first. */
  streetForms: string[];
  street: string;
  otherNumber: string;
  /** The CRM value could not be taken apart (house name, `123/A`, PO box…). */
  oddStreet: boolean;
  city: string;
  cityDisplay: string;
  region?: string;
  postal: string;
  iban?: string;
  card: string;
  imei: string;
  orderId: string;
}

const LOCALES: Record<CC, LocaleDefinition[]> = {
  US: [en_US, en, base],
  GB: [en_GB, en, base],
  DE: [de, en, base],
  FR: [fr, en, base],
  ES: [es, en, base],
  IT: [it, en, base],
  PT: [pt_PT, en, base],
  NL: [nl, en, base],
  PL: [pl, en, base],
  TR: [tr, en, base],
  VN: [vi, en, base],
  SE: [sv, en, base],
  RU: [ru, en, base],
};

/** ASCII for mail local parts. */
export function asciiFold(s: string): string {
  return s
    .replace(/ß/g, 'ss')
    .replace(/[łŁ]/g, 'l')
    .replace(/[đĐ]/g, 'd')
    .replace(/ı/g, 'i')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const TRANSLIT: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'sch',
  ы: 'y',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  ь: '',
  ъ: '',
};
const latin = (s: string): string => s.toLowerCase().replace(/[а-яё]/g, (c) => TRANSLIT[c] ?? '');

export function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let x = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      x *= 2;
      if (x > 9) x -= 9;
    }
    sum += x;
  }
  return String((10 - (sum % 10)) % 10);
}

function makeImei(f: Faker): string {
  const body =
    f.helpers.arrayElement(['35209900', '35332510', '35693803', '86891503', '35875110', '01326300']) +
    f.string.numeric(6);
  return body + luhnDigit(body);
}

function makeCard(f: Faker): string {
  const kind = f.number.int(9);
  if (kind < 2) {
    const body = f.helpers.arrayElement(['34', '37']) + f.string.numeric(12);
    return body + luhnDigit(body);
  }
  const body =
    kind < 6
      ? '4' + f.string.numeric(14)
      : f.helpers.arrayElement(['51', '52', '53', '54', '55']) + f.string.numeric(13);
  return body + luhnDigit(body);
}

/** A card as written: compact, groups of four (Amex 4-6-5), dashes. */
export function formatCard(card: string, v: number): string {
  if (card.length === 15)
    return [
      card,
      `${card.slice(0, 4)} ${card.slice(4, 10)} ${card.slice(10)}`,
      `${card.slice(0, 4)}-${card.slice(4, 10)}-${card.slice(10)}`,
    ][v % 3]!;
  return [
    card.replace(/(.{4})(?!$)/g, '$1 '),
    card,
    card.replace(/(.{4})(?!$)/g, '$1-'),
    card.replace(/(.{4})(?!$)/g, '$1  '),
  ][v % 4]!;
}

export function formatImei(imei: string, v: number): string {
  return [
    imei,
    `${imei.slice(0, 2)}-${imei.slice(2, 8)}-${imei.slice(8, 14)}-${imei.slice(14)}`,
    `${imei.slice(0, 8)} ${imei.slice(8, 14)} ${imei.slice(14)}`,
    `${imei.slice(0, 2)} ${imei.slice(2, 8)} ${imei.slice(8, 14)} ${imei.slice(14)}`,
  ][v % 4]!;
}

function personName(f: Faker, cc: CC, gender: 'f' | 'm'): { first: string; last: string; fullName: string } {
  const sex = gender === 'f' ? 'female' : 'male';
  const first = f.person.firstName(sex).split(' ')[0]!;
  let last = f.person.lastName(sex);
  switch (cc) {
    case 'ES':
      if (!last.includes(' ')) last = `${last} ${f.person.lastName()}`;
      break;
    case 'PT':
      if (f.number.int(2) === 0)
        last = `${f.helpers.arrayElement(['dos Santos', 'da Silva', 'de Sousa', 'da Costa', 'dos Reis'])}`;
      else if (f.number.int(1) === 0)
        last = `${f.person.lastName()} ${f.helpers.arrayElement(['da Silva', 'Ferreira', 'dos Santos'])}`;
      break;
    case 'NL':
      last = last.replace(/^(Van|De|Van der|Van den|Ter|Ten) /i, (p) => p.trimEnd().toLowerCase() + ' ');
      if (!/^(van|de|ter|ten) /.test(last) && f.number.int(2) === 0)
        last = `${f.helpers.arrayElement(['van der', 'van', 'de', 'van den', 'ter'])} ${last}`;
      break;
    case 'VN': {
      const family = f.helpers.arrayElement([
        'Nguyễn',
        'Trần',
        'Lê',
        'Phạm',
        'Hoàng',
        'Vũ',
        'Đặng',
        'Bùi',
        'Đỗ',
        'Ngô',
      ]);
      const middle =
        gender === 'f'
          ? f.helpers.arrayElement(['Thị', 'Ngọc', 'Thu'])
          : f.helpers.arrayElement(['Văn', 'Minh', 'Đức', 'Quốc']);
      const given =
        gender === 'f'
          ? f.helpers.arrayElement(['Lan', 'Hương', 'Mai', 'Linh', 'Trang', 'Hà', 'Thảo'])
          : f.helpers.arrayElement(['An', 'Bình', 'Dũng', 'Hùng', 'Tuấn', 'Khoa', 'Long']);
      return { first: given, last: `${family} ${middle}`, fullName: `${family} ${middle} ${given}` };
    }
    default:
      break;
  }
  return { first, last, fullName: `${first} ${last}` };
}

const nameKey = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
const upper = (s: string, cc: CC): string => s.toLocaleUpperCase(cc === 'TR' ? 'tr-TR' : 'en');

/** CRM export styles for the name column. */
function csvNameOf(c: Pick<MCustomer, 'first' | 'last' | 'fullName' | 'country'>, i: number): string {
  if (c.country === 'VN') return i % 5 === 2 ? upper(c.fullName, c.country) : c.fullName;
  switch (i % 9) {
    case 1:
      return `${upper(c.last, c.country)}, ${c.first}`;
    case 4:
      return `${c.last}, ${c.first}`;
    case 7:
      return upper(c.fullName, c.country);
    default:
      return c.fullName;
  }
}

export interface CustomerSet {
  customers: MCustomer[];
  /** Pairs of customers sharing a postal address (a household: same family name, other first name). */
  households: [string, string][];
  /** Pairs of customers with the same full name. */
  namesakes: [string, string][];
}

/** Bounded retries: a generator that cannot find a fresh value fails loudly instead of spinning. */
function tries(what: string): () => boolean {
  let k = 0;
  return () => {
    if (++k > 5000) throw new Error(`customer generator: no fresh ${what} after 5000 tries`);
    return true;
  };
}

export function generateCustomers(perCountry = 28, seed = 20240917): CustomerSet {
  const fakers = Object.fromEntries(
    COUNTRIES.map((cc, k) => [cc, new Faker({ locale: LOCALES[cc], seed: seed + 101 * (k + 1) })]),
  ) as Record<CC, Faker>;
  const used = {
    email: new Set<string>(),
    nsn: new Set<string>(),
    imei: new Set<string>(),
    order: new Set<string>(),
    street: new Set<string>(),
    name: new Set<string>(),
    card: new Set<string>(),
    iban: new Set<string>(),
  };
  const out: MCustomer[] = [];
  const households: [string, string][] = [];
  const namesakes: [string, string][] = [];
  const special = { near: 0, idn: 0, company: 0 };
  for (let r = 0; r < perCountry; r++) {
    for (const cc of COUNTRIES) {
      const f = fakers[cc];
      const i = out.length;
      const gender = f.datatype.boolean() ? 'f' : 'm';
      let nm: ReturnType<typeof personName>;
      const tn = tries(`name ${cc}`);
      do nm = personName(f, cc, gender);
      while ((tn() && used.name.has(nameKey(nm.fullName))) || /[^\p{L}\s'-]/u.test(nm.fullName));
      used.name.add(nameKey(nm.fullName));

      const l1 = cc === 'RU' ? latin(nm.first) : asciiFold(nm.first);
      const l2 = cc === 'RU' ? latin(nm.last) : asciiFold(nm.last);
      let email: string;
      let idn: MCustomer['idn'];
      const te = tries(`email ${cc}`);
      do {
        idn = undefined;
        let domain = f.helpers.arrayElement(EMAIL_DOMAINS[cc]);
        const near = NEAR_PROVIDER_DOMAINS.find((x) => x.cc === cc);
        const idnD = IDN_DOMAINS.find((x) => x.cc === cc);
        if (r % 7 === 3 && near) domain = near.domain;
        else if (r % 7 === 5 && idnD && cc !== COMPANY_DOMAIN.cc) domain = idnD.domain;
        else if (cc === 'DE' && r % 7 === 5) domain = r % 14 === 5 ? 'müller-shop.de' : 'bücher.example';
        else if (cc === COMPANY_DOMAIN.cc && r % 7 === 1) domain = COMPANY_DOMAIN.domain;
        const local = f.helpers.arrayElement([
          `${l1}.${l2}`,
          `${l1[0]}${l2}`,
          `${l1}${l2}${f.number.int({ min: 1, max: 99 })}`,
          `${l2}.${l1}`,
          `${l1}_${l2}`,
        ]);
        const ascii = domainToASCII(domain);
        if (ascii !== domain) {
          idn = { unicode: `${local}@${domain}`, ascii: `${local}@${ascii}` };
          // CRMs store what the customer typed (Unicode) or what a web form normalised (punycode)
          email = i % 2 ? idn.unicode : idn.ascii;
        } else email = `${local}@${domain}`;
      } while (te() && used.email.has(email));
      used.email.add(email);
      if (idn) special.idn++;

      let nsn: string;
      const tp = tries(`phone ${cc}`);
      do nsn = makeNsn(f, cc);
      while ((tp() && used.nsn.has(nsn)) || !isValidPhoneNumber(`+${DIAL[cc]}${nsn}`));
      used.nsn.add(nsn);

      let imei: string;
      do imei = makeImei(f);
      while (used.imei.has(imei));
      used.imei.add(imei);
      let card: string;
      do card = makeCard(f);
      while (used.card.has(card));
      used.card.add(card);
      let orderId: string;
      do orderId = makeOrderId(f, cc);
      while (used.order.has(orderId));
      used.order.add(orderId);
      let iban: string | undefined;
      do iban = makeIban(f, cc);
      while (iban && used.iban.has(iban));
      if (iban) used.iban.add(iban);

      const where = f.helpers.arrayElement(CITIES[cc]);
      const odd = ODD_STREETS[cc];
      const useOdd = !!odd && r % 9 === 8;
      let st: ReturnType<typeof makeStreet>;
      if (useOdd) {
        const v = odd[(r >> 3) % odd.length]!;
        st = { csv: v, forms: [v], street: v, otherNumber: '' };
      } else {
        const ts = tries(`street ${cc}`);
        do st = makeStreet(f, cc);
        while (ts() && used.street.has(st.csv));
      }
      used.street.add(st.csv);

      const c: MCustomer = {
        id: `M${String(20001 + i)}`,
        country: cc,
        gender,
        first: nm.first,
        last: nm.last,
        fullName: nm.fullName,
        csvName: '',
        email,
        ...(idn ? { idn } : {}),
        nsn,
        phoneCsv: formatPhone(cc, nsn, i % 3 === 0 ? 'intl' : 'national', i),
        streetCsv: st.csv,
        streetForms: st.forms,
        street: st.street,
        otherNumber: st.otherNumber,
        oddStreet: useOdd,
        city: where.city,
        cityDisplay: where.display ?? where.city,
        ...(where.region ? { region: where.region } : {}),
        postal: where.postal(f),
        ...(iban ? { iban } : {}),
        card,
        imei,
        orderId,
      };
      c.csvName = csvNameOf(c, i);
      out.push(c);
    }
  }
  void special;
  // Households: in every country, customer of round 2 moves in with the one of round 0 (same family name).
  // Namesakes: the customer of round 4 gets the full name of the one of round 6.
  const byCountry = (cc: CC, r: number): MCustomer => out[r * COUNTRIES.length + COUNTRIES.indexOf(cc)]!;
  for (const cc of COUNTRIES) {
    const a = byCountry(cc, 0);
    const b = byCountry(cc, 2);
    if (!a.oddStreet && !b.oddStreet) {
      Object.assign(b, {
        last: a.last,
        streetCsv: a.streetCsv,
        streetForms: a.streetForms,
        street: a.street,
        otherNumber: a.otherNumber,
        city: a.city,
        cityDisplay: a.cityDisplay,
        postal: a.postal,
        region: a.region,
      });
      b.fullName = cc === 'VN' ? `${b.last} ${b.first}` : `${b.first} ${b.last}`;
      b.csvName = csvNameOf(b, out.indexOf(b));
      households.push([a.id, b.id]);
    }
    const s = byCountry(cc, 4);
    const t = byCountry(cc, 6);
    Object.assign(s, { first: t.first, last: t.last, fullName: t.fullName, gender: t.gender });
    s.csvName = csvNameOf(s, out.indexOf(s));
    namesakes.push([s.id, t.id]);
  }
  return { customers: out, households, namesakes };
}

function cell(s: string): string {
  return /[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = [
  'customer_id',
  'full_name',
  'email',
  'phone',
  'street',
  'city',
  'postal_code',
  'country',
  'iban',
  'card_number',
  'imei',
  'order_id',
];

export function directoryCsv(customers: readonly MCustomer[]): string {
  const rows = customers.map((c) =>
    [
      c.id,
      c.csvName,
      c.email,
      c.phoneCsv,
      c.streetCsv,
      c.city,
      c.postal,
      c.country,
      c.iban ?? '',
      c.card,
      c.imei,
      c.orderId,
    ]
      .map(cell)
      .join(','),
  );
  return [CSV_HEADER.join(','), ...rows].join('\n') + '\n';
}

export function writeDirectoryCsv(customers: readonly MCustomer[], dir: string): string {
  const file = join(dir, 'customers.csv');
  writeFileSync(file, directoryCsv(customers));
  return file;
}
