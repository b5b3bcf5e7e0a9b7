/**
 * The generated customers of the directory benchmarks (run.ts, lookup-ab.ts): faker pools (seeded) combined with
 * counters, because faker per row is far too slow for a million rows.
 */
import { createWriteStream } from 'node:fs';
import { faker } from '@faker-js/faker';
import { normalizeValue } from '../../src/directory/normalize.js';
import { withLuhnDigit } from '../lib/luhn.js';

faker.seed(20240601);
const FIRST = Array.from({ length: 400 }, () => faker.person.firstName());
const LAST = Array.from({ length: 1000 }, () => faker.person.lastName());
const STREETS = Array.from({ length: 600 }, () => faker.location.street());
const CITIES = Array.from({ length: 300 }, () => faker.location.city());
export const QUOTE = faker.lorem.paragraphs(6);
const DOMAINS = [
  'gmail.com',
  'yahoo.com',
  'outlook.com',
  'web.de',
  'orange.fr',
  'example.org',
  'icloud.com',
  'gmx.net',
];

export interface Row {
  id: string;
  name: string;
  email: string;
  phone: string;
  street: string;
  city: string;
  zip: string;
  country: string;
  imei: string;
  order: string;
}

/** Customer i, deterministic. */
export function row(i: number): Row {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const line = String(i % 10000).padStart(4, '0');
  const exch = String(200 + (Math.floor(i / 10000) % 800));
  const area = String(201 + (Math.floor(i / 8_000_000) % 700));
  return {
    id: `C${String(i).padStart(8, '0')}`,
    name: `${first} ${last}`,
    email: `${first}.${last}.${i}@${DOMAINS[i % DOMAINS.length]}`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
    phone: `(${area}) ${exch}-${line}`,
    street: `${1 + (i % 997)} ${STREETS[Math.floor(i / 997) % STREETS.length]}`,
    city: CITIES[i % CITIES.length]!,
    zip: String(10000 + (i % 89999)),
    country: 'US',
    imei: withLuhnDigit(`35${String(i).padStart(12, '0')}`),
    order: `ORD-${String(i).padStart(9, '0')}`,
  };
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string): Promise<void> =>
    out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', () => r()));
  await write('customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id\n');
  let buf = '';
  for (let i = 0; i < n; i++) {
    const r = row(i);
    buf +=
      [r.id, r.name, r.email, r.phone, r.street, r.city, r.zip, r.country, r.imei, r.order].map(csvCell).join(',') +
      '\n';
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((r) => out.end(r));
}

/**
 * 200,000 normalised values to look up: half hits (random customers), half misses, over the identifying kinds
 * (what detection looks up per candidate). City and postal code are context kinds shared by thousands of
 * customers; detection checks them with lookupAmong (never builds their id lists).
 */
export function lookupSample(n: number): [kind: string, normalized: string][] {
  const kinds = ['email', 'phone', 'imei', 'order_id', 'full_name', 'address'] as const;
  const sample: [string, string][] = [];
  for (let k = 0; k < 200_000; k++) {
    const r = row(Math.floor(Math.random() * n));
    const kind = kinds[k % kinds.length]!;
    let raw: string;
    if (k % 2 === 1)
      raw =
        kind === 'imei'
          ? withLuhnDigit(`99${String(k).padStart(12, '0')}`)
          : kind === 'phone'
            ? `(999) 555-${String(k % 10000).padStart(4, '0')}`
            : kind === 'email'
              ? `miss.${k}@example.net`
              : kind === 'address'
                ? `${k} Nowhere Street`
                : kind === 'order_id'
                  ? `MISS-${k}`
                  : `Zq Miss${k}`;
    else
      raw = { email: r.email, phone: r.phone, imei: r.imei, order_id: r.order, full_name: r.name, address: r.street }[
        kind
      ];
    const norm = normalizeValue(kind, raw, 'US');
    if (norm !== null) sample.push([kind, norm]);
  }
  return sample;
}
