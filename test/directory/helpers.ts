/** Test fixtures: generated customer directories (deterministic), temp dirs. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCustomer {
  customer_id: string;
  full_name: string;
  email: string;
  phone: string;
  street: string;
  city: string;
  postal_code: string;
  country: string;
  imei: string;
  order_id: string;
}

const FIRST = [
  'Anna',
  'Bernd',
  'Chloé',
  'David',
  'Émile',
  'Fatima',
  'Gustav',
  'Hannah',
  'Ivan',
  'Jürgen',
  'Kofi',
  'Léa',
];
const LAST = [
  'Müller',
  'Smith',
  'Dubois',
  'García',
  'Kowalski',
  "O'Neill",
  'Nguyen',
  'Rossi',
  'Schröder',
  'Yilmaz',
  'Andersson',
  'Brown',
  'Okafor',
  'Novak',
  'Bianchi',
  'Fischer',
  'Taylor',
];
const STREETS = [
  'Main Street',
  'Oak Avenue',
  'Elm Road',
  'Hauptstraße',
  'Rue de la Paix',
  'Station Lane',
  'Park Boulevard',
  'Church Drive',
];
const CITIES = ['Springfield', 'München', 'Paris', 'London', 'Zürich', 'São Paulo'];

/** Appends the Luhn check digit. */
export function withLuhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** Customer i, with national phone formats per country. */
export function customer(i: number): TestCustomer {
  const country = ['US', 'GB', 'DE', 'FR'][i % 4]!;
  const n = String(i).padStart(4, '0');
  const phone =
    country === 'US'
      ? `(415) 555-${n}`
      : country === 'GB'
        ? `020 7946 ${n}`
        : country === 'DE'
          ? `030 1234${n}`
          : `01 42 ${n.slice(0, 2)} ${n.slice(2)} 11`;
  const street = STREETS[i % STREETS.length]!;
  const house = String(1 + (i % 97));
  return {
    customer_id: `C${String(i).padStart(5, '0')}`,
    // 12 × 17 = 204 distinct names: each name is shared by several customers in a 1k directory
    full_name: `${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]}`,
    email: `Person.${i}@${['gmail.com', 'example.org', 'mail.de'][i % 3]}`,
    phone,
    street: street === 'Hauptstraße' || street === 'Rue de la Paix' ? `${street} ${house}` : `${house} ${street}`,
    city: CITIES[i % CITIES.length]!,
    postal_code: String(10000 + i),
    country,
    imei: withLuhn(`35${String(209900000000 + i).padStart(12, '0')}`),
    order_id: `ORD-${100000 + i}`,
  };
}

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
] as const;

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function toCsv(rows: readonly Partial<Record<string, string>>[], header: readonly string[] = HEADER): string {
  return [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h] ?? '')).join(','))].join('\n') + '\n';
}

export async function tempDir(prefix = 'pg-dir-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function writeCsv(
  dir: string,
  name: string,
  rows: readonly Partial<Record<string, string>>[],
  header?: readonly string[],
): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, toCsv(rows, header));
  return file;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The same snapshot (snapshot.ts format) with its header JSON block changed by `edit`; the rest is kept byte for byte. */
export function rewriteSnapshotHeader(snapshot: Buffer, edit: (header: Record<string, unknown>) => void): Buffer {
  const magic = snapshot.subarray(0, 8);
  const len = snapshot.readUInt32LE(8);
  const header = JSON.parse(snapshot.subarray(12, 12 + len).toString('utf8')) as Record<string, unknown>;
  edit(header);
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const l = Buffer.alloc(4);
  l.writeUInt32LE(h.length, 0);
  return Buffer.concat([magic, l, h, snapshot.subarray(12 + len)]);
}

/** A snapshot as the previous release wrote it: no `keyFormat` in the header (or `format` when given). */
export function withKeyFormat(snapshot: Buffer, format?: number): Buffer {
  return rewriteSnapshotHeader(snapshot, (header) => {
    if (header.keyFormat === undefined && format === undefined) throw new Error('snapshot has no keyFormat field');
    if (format === undefined) delete header.keyFormat;
    else header.keyFormat = format;
  });
}
