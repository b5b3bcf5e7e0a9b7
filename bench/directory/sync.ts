/**
 * Directory sync benchmark: a PostgreSQL table of N customers (default 1,000,000; generated in SQL with
 * generate_series) synced into an embedded directory with `syncDirectory` — the code behind
 * `postguard directory sync` and `serve`'s directorySync.
 *
 *   npm run build && node dist/bench/directory/sync.js [N] [--narrow] [--url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * The table has 9 columns (customer_id, full_name, email, phone, street, city, postal_code, country, order_id) plus
 * updated_at: 7 kinds per customer, ~14 stored keys with the name, domain and street keys. --narrow syncs only
 * customer_id, full_name, email, phone, country (~6 keys per customer).
 *
 * Measures the full sync (cursor stream → normalise → HMAC → index build → atomic snapshot write), the peak RSS of
 * the whole process (getrusage maxRSS: the stream never holds the rows, the batch of hashes and the new index do),
 * then an incremental sync after 1,000 rows changed. Creates its own database and drops it at the end.
 * Exit code 1 when a target fails (full sync ≤ 90 s, peak RSS ≤ 250 MB).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDirectory } from '../../src/directory/index.js';
import { syncDirectory } from '../../src/directory/sync/sync.js';

const args = process.argv.slice(2);
const urlAt = args.indexOf('--url');
const ADMIN_URL = urlAt >= 0 ? args[urlAt + 1]! : 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--url') ?? 1_000_000);
const NARROW = args.includes('--narrow');
const TARGET = { seconds: 90, rssMb: 250 };
const DB = `pg_bench_dirsync_${process.pid}`;

const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Eva',
  'Felix',
  'Greta',
  'Hugo',
  'Ida',
  'Jonas',
  'Karla',
  'Lukas',
  'Mia',
  'Noah',
  'Olga',
  'Paul',
  'Rosa',
  'Simon',
  'Tara',
  'Ugo',
];
const SURNAMES = ['Schmidt', 'Meyer', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann', 'Koch', 'Richter', 'Klein'];
const SUFFIXES = ['', 'er', 'mann', 'feld', 'berg'];
const LAST = SUFFIXES.flatMap((suffix) => SURNAMES.map((name) => name + suffix));
const STREETS = [
  'Hauptstraße',
  'Bahnhofstraße',
  'Gartenweg',
  'Lindenallee',
  'Schulstraße',
  'Am Markt',
  'Bergstraße',
  'Waldweg',
];
const CITIES = ['Berlin', 'Hamburg', 'München', 'Köln', 'Leipzig', 'Dresden', 'Bremen', 'Essen'];

function sqlArray(a: readonly string[]): string {
  return `ARRAY[${a.map((s) => `'${s.replace(/'/g, "''")}'`).join(',')}]`;
}

function dbUrl(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pg-bench-sync-'));
  await admin((c) => c.query(`CREATE DATABASE ${DB}`));
  try {
    let t = performance.now();
    await admin(async (c) => {
      await c.query(
        `CREATE TABLE customers (customer_id text PRIMARY KEY, full_name text, email text, phone text, street text, city text, postal_code text, country text, order_id text, updated_at timestamptz NOT NULL)`,
      );
      await c.query(`
        INSERT INTO customers
        SELECT 'C' || lpad(i::text, 8, '0'),
               (${sqlArray(FIRST)})[1 + i % ${FIRST.length}] || ' ' || (${sqlArray(LAST)})[1 + (i / ${FIRST.length}) % ${LAST.length}],
               'customer.' || i || '@example' || (i % 50) || '.org',
               '+49 30 ' || (20000000 + i),
               (${sqlArray(STREETS)})[1 + (i / 997) % ${STREETS.length}] || ' ' || (1 + i % 997),
               (${sqlArray(CITIES)})[1 + i % ${CITIES.length}],
               lpad((10000 + i % 89999)::text, 5, '0'),
               'DE',
               'ORD-' || lpad(i::text, 9, '0'),
               timestamptz '2026-01-01' + i * interval '1 second'
        FROM generate_series(0, ${N - 1}) AS i`);
      await c.query('CREATE INDEX ON customers (updated_at)');
      await c.query('ANALYZE customers');
    }, dbUrl(DB));
    const genS = (performance.now() - t) / 1000;

    const dir = await openDirectory({ dataDir, defaultRegion: 'DE', missCache: 0, follow: false });
    const url = dbUrl(DB);
    const query = NARROW
      ? 'SELECT customer_id, full_name, email, phone, country, updated_at FROM customers'
      : 'SELECT customer_id, full_name, email, phone, street, city, postal_code, country, order_id, updated_at FROM customers';
    const rssBefore = process.memoryUsage().rss;
    let sampledPeak = rssBefore;
    const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 50);
    t = performance.now();
    const cpu0 = process.cpuUsage();
    const full = await syncDirectory(dir, { url, query });
    const fullS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    const peak = Math.max(peakRss(), sampledPeak);

    await admin(
      (c) =>
        c.query(
          `UPDATE customers SET email = 'changed.' || customer_id || '@example.net', updated_at = now() WHERE customer_id IN (SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1000)`,
        ),
      url,
    );
    t = performance.now();
    const inc = await syncDirectory(dir, { url, query });
    const incS = (performance.now() - t) / 1000;
    const found = dir.lookup('email', 'changed.c00000000@example.net');
    await dir.close();

    const rows: [string, string, string, boolean | null][] = [
      ['rows (customers)', `${N} (${NARROW ? 'narrow: id, name, email, phone, country' : 'wide: 7 kinds'})`, '', null],
      [
        'stored keys',
        String(full.import ? Object.values(full.import.values).reduce((a, b) => a + b, 0) : 0) + ' values read',
        '',
        null,
      ],
      ['table generation (SQL)', `${genS.toFixed(1)} s`, '', null],
      [
        'full sync',
        `${fullS.toFixed(1)} s (${full.import?.rowsRead} rows, ${full.import?.skippedRows} skipped, ${full.import?.invalidValues} invalid)`,
        `≤ ${TARGET.seconds} s`,
        fullS <= TARGET.seconds,
      ],
      ['  rows/s', Math.round(N / fullS).toLocaleString('en'), '', null],
      [
        '  CPU time of this process',
        `${cpuS.toFixed(1)} s (${Math.round(N / cpuS).toLocaleString('en')} rows per CPU-second; PostgreSQL's own CPU not counted)`,
        '',
        null,
      ],
      ['peak RSS (whole process)', mb(peak), `≤ ${TARGET.rssMb} MB`, peak <= TARGET.rssMb * 1024 * 1024],
      ['RSS before the sync', mb(rssBefore), '', null],
      [
        'incremental sync (1,000 changed)',
        `${incS.toFixed(1)} s (${inc.kind}, ${inc.import?.rowsRead ?? 0} rows)`,
        '',
        null,
      ],
      ['changed value found after it', found.length ? 'yes' : 'NO', 'yes', found.length > 0],
    ];
    console.log(
      `postguard directory sync benchmark — N = ${N.toLocaleString('en')}, node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`,
    );
    console.log(`${'metric'.padEnd(34)} ${'measured'.padEnd(56)} target`);
    let ok = true;
    for (const [name, value, target, pass] of rows) {
      if (pass === false) ok = false;
      console.log(
        `${name.padEnd(34)} ${value.padEnd(56)} ${target.padEnd(10)} ${pass === null ? '' : pass ? 'PASS' : 'FAIL'}`,
      );
    }
    process.exitCode = ok ? 0 : 1;
  } finally {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`));
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
