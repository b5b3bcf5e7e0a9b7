/**
 * Directory benchmark: N customers × 8 values (default 1,000,000).
 *
 *   npm run build && node --expose-gc dist/bench/directory/run.js [N]
 *
 * Generates a CSV (faker pools combined with counters: faker itself is too slow for millions of rows), imports
 * it into an embedded directory, and measures import time, index memory, lookups/s (normalised values, half
 * hits, half misses), reopen-from-snapshot time and detection throughput on a typical reply.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { faker } from '@faker-js/faker';
import type { ParsedMessage } from '../../src/core/types.js';
import { detect } from '../../src/detect/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { KeyedHasher } from '../../src/directory/keyed-hash.js';
import { normalizeValue } from '../../src/directory/normalize.js';
import { withLuhnDigit } from '../lib/luhn.js';

const N = Number(process.argv[2] ?? 1_000_000);
const TARGET = { rssMb: 200, importS: 60, lookupsPerS: 1_000_000 };

faker.seed(20240601);
const FIRST = Array.from({ length: 400 }, () => faker.person.firstName());
const LAST = Array.from({ length: 1000 }, () => faker.person.lastName());
const STREETS = Array.from({ length: 600 }, () => faker.location.street());
const CITIES = Array.from({ length: 300 }, () => faker.location.city());
const QUOTE = faker.lorem.paragraphs(6);
const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'web.de', 'orange.fr', 'example.org', 'icloud.com', 'gmx.net'];


interface Row {
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
function row(i: number): Row {
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

async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string): Promise<void> =>
    out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', () => r()));
  await write('customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id\n');
  let buf = '';
  for (let i = 0; i < n; i++) {
    const r = row(i);
    buf += [r.id, r.name, r.email, r.phone, r.street, r.city, r.zip, r.country, r.imei, r.order].map(csvCell).join(',') + '\n';
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((r) => out.end(r));
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) g();
}

const mb = (b: number): number => b / 1024 / 1024;
const hasher = new KeyedHasher(Buffer.from('bench-secret-0123456789abcdef'));

function lookupsPerSecond(
  dir: Directory,
  n: number,
): { rate: number; cpuRate: number; hits: number; total: number } {
  // Normalised values: half hits (random customers, random kind), half misses.
  // Identifying kinds (what detection looks up per candidate). City and postal code are context kinds shared by
  // thousands of customers; detection checks them with lookupAmong (never builds their id lists).
  const kinds = ['email', 'phone', 'imei', 'order_id', 'full_name', 'address'] as const;
  const sample: [string, string][] = [];
  for (let k = 0; k < 200_000; k++) {
    const r = row(Math.floor(Math.random() * n));
    const kind = kinds[k % kinds.length]!;
    let raw: string;
    if (k % 2 === 1) raw = kind === 'imei' ? withLuhnDigit(`99${String(k).padStart(12, '0')}`) : kind === 'phone' ? `(999) 555-${String(k % 10000).padStart(4, '0')}` : kind === 'email' ? `miss.${k}@example.net` : kind === 'address' ? `${k} Nowhere Street` : kind === 'order_id' ? `MISS-${k}` : `Zq Miss${k}`;
    else raw = { email: r.email, phone: r.phone, imei: r.imei, order_id: r.order, full_name: r.name, address: r.street }[kind];
    const norm = normalizeValue(kind, raw, 'US');
    if (norm !== null) sample.push([kind, norm]);
  }
  let hits = 0;
  let total = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    for (let i = 0; i < sample.length; i++) {
      const [kind, v] = sample[i]!;
      if (dir.lookup(kind, v).length > 0) hits++;
    }
    total += sample.length;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { rate: total / wall, cpuRate: total / ((cpu.user + cpu.system) / 1e6), hits, total };
}

function hashesPerSecond(): number {
  const h = hasher;
  const values = Array.from({ length: 1000 }, (_, i) => row(i).email);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    for (const v of values) h.hash('email', v);
    n += values.length;
  }
  return n / ((performance.now() - t0) / 1000);
}

function detectRate(dir: Directory, n: number): number {
  const r = row(Math.floor(n / 2));
  const body =
    `Hello ${r.name.split(' ')[0]},\n\nthank you for your message about order ${r.order}. We have checked the ` +
    `device (IMEI ${r.imei}) and will send the replacement to ${r.street}, ${r.city} ${r.zip}.\n` +
    `If you have questions call us on +1 (800) 555-0100 or reply to this mail. Your ticket reference is ` +
    `2024-05-12/7781, total $129.99.\n\nKind regards\nSupport team\nExample Shop Inc., 1 Market Street, San Francisco\n`;
  const parsed: ParsedMessage = {
    subject: `Re: your order ${r.order}`,
    from: [],
    to: [{ address: r.email, name: r.name }],
    cc: [],
    bcc: [],
    replyTo: [],
    headers: new Map(),
    segments: [
      { index: 0, location: 'subject', source: 'subject', text: `Re: your order ${r.order}` },
      { index: 1, location: 'body', source: 'body:text', text: body + '\n> ' + QUOTE.replace(/\n/g, '\n> ') },
    ],
    attachments: [],
    unscannable: [],
  };
  const env = { mailFrom: 'support@shop.example', rcptTo: [r.email] };
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    detect(parsed, env, dir, { internalDomains: ['shop.example'] });
    count++;
  }
  return count / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'pg-bench-dir-'));
  try {
    const csv = join(tmp, 'customers.csv');
    let t = performance.now();
    await writeCsv(csv, N);
    const genS = (performance.now() - t) / 1000;
    const csvMb = mb((await stat(csv)).size);

    gc();
    const base = process.memoryUsage();
    const dir = await openDirectory({ dataDir: join(tmp, 'data'), secret: 'bench-secret-0123456789abcdef', follow: false, missCache: 0 }); // raw index speed: no cross-lookup miss cache
    t = performance.now();
    const report = await dir.import(csv, { mode: 'replace' });
    const importS = (performance.now() - t) / 1000;
    gc();
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const after = process.memoryUsage();
    const rssMb = mb(after.rss - base.rss);
    const heapMb = mb(after.heapUsed + after.arrayBuffers - base.heapUsed - base.arrayBuffers);
    const stats = dir.stats();

    const lk = lookupsPerSecond(dir, N);
    const msgs = detectRate(dir, N);
    const hashes = hashesPerSecond();
    await dir.close();

    t = performance.now();
    const reopened = await openDirectory({ dataDir: join(tmp, 'data'), secret: 'bench-secret-0123456789abcdef', follow: false });
    const reopenS = (performance.now() - t) / 1000;
    const customers = reopened.stats().customers;
    await reopened.close();
    const snapMb = mb((await stat(join(tmp, 'data', 'directory', 'snapshot.bin'))).size);

    const pf = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    const rows: [string, string, string, string][] = [
      ['customers', String(report.customers), '', ''],
      ['values stored (distinct)', String(stats.totalValues), '', ''],
      ['rows skipped / invalid values', `${report.skippedRows} / ${report.invalidValues}`, '', ''],
      ['CSV generation', `${genS.toFixed(1)} s (${csvMb.toFixed(0)} MB)`, '', ''],
      ['import time', `${importS.toFixed(1)} s`, `≤ ${TARGET.importS} s`, pf(importS <= TARGET.importS)],
      ['index RSS delta after gc', `${rssMb.toFixed(0)} MB`, `≤ ${TARGET.rssMb} MB`, pf(rssMb <= TARGET.rssMb)],
      ['index heap+arrayBuffers delta', `${heapMb.toFixed(0)} MB`, '', ''],
      ['index size (own estimate)', `${mb(stats.memoryBytes).toFixed(0)} MB`, '', ''],
      ['lookups/s (50% hits)', `${Math.round(lk.rate).toLocaleString('en')} (${((lk.hits / lk.total) * 100).toFixed(0)}% hit)`, `≥ ${TARGET.lookupsPerS.toLocaleString('en')}`, pf(lk.rate >= TARGET.lookupsPerS)],
      ['lookups per CPU-second', Math.round(lk.cpuRate).toLocaleString('en'), '', ''],
      [`keyed hashes/s (HMAC-SHA256, ${hasher.engine})`, Math.round(hashes).toLocaleString('en'), '', ''],
      ['reopen from snapshot', `${reopenS.toFixed(1)} s (${snapMb.toFixed(0)} MB file, ${customers} customers)`, '', ''],
      [`detect() on a ${(QUOTE.length / 1024 + 0.6).toFixed(1)} KB reply`, `${Math.round(msgs).toLocaleString('en')} msgs/s`, '', ''],
    ];
    const w = [32, 44, 14, 5];
    console.log(`postguard directory benchmark — N = ${N.toLocaleString('en')} customers × 8 values, node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`);
    console.log(['metric', 'measured', 'target', ''].map((c, i) => c.padEnd(w[i]!)).join(' '));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join(' '));
    if (rows.some((r) => r[3] === 'FAIL')) process.exitCode = 1;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

void main();
