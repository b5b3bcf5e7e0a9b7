/**
 * Directory sync from a real PostgreSQL: full and incremental syncs, deletions, atomic swap when the query fails
 * midway, clear errors without credentials, the Redis store, and detection of a synced customer in a message.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normalizeValue, openDirectory, type Directory } from '../../../src/directory/index.js';
import type { RowSource } from '../../../src/directory/importer.js';
import { PostgresSource } from '../../../src/directory/sync/postgres-source.js';
import { readSyncState, syncDirectory } from '../../../src/directory/sync/sync.js';
import { scanMessage } from '../../../src/inspect/inspector.js';
import { removeDir, tempDir } from '../helpers.js';
import { createCustomers, createTestDb, PASSWORD, type TestDb } from './pg.js';

const SECRET = 'sync-test-secret-0123456789';
const QUERY = 'SELECT id, full_name, email, phone, country, updated_at FROM customers';
const people = Array.from({ length: 30 }, (_, i) => ({
  id: `K${String(i).padStart(3, '0')}`,
  name: `${['Anna', 'Bruno', 'Carla'][i % 3]} ${['Schmidt', 'Okafor', 'Lindqvist', 'Moreau', 'Novak'][i % 5]}${i}`,
  email: `kunde.${i}@example.org`,
  phone: `030 5550${String(1000 + i)}`,
}));

let db: TestDb;
let tmp: string;
let dir: Directory;
let n = 0;

const open = (sub: string): Promise<Directory> =>
  openDirectory({ dataDir: join(tmp, sub), secret: SECRET, defaultRegion: 'DE', follow: false });
const who = (email: string): readonly string[] => dir.lookup('email', email);

beforeAll(async () => {
  db = await createTestDb();
  tmp = await tempDir('pg-sync-');
});
afterAll(async () => {
  await db?.drop();
  await removeDir(tmp);
});

beforeEach(async () => {
  await db.sql('DROP TABLE IF EXISTS customers');
  await createCustomers(db, people);
  dir = await open(`d${n++}`);
});
afterEach(async () => dir.close());

describe('full sync', { timeout: 120_000 }, () => {
  it('loads every row of the query into the directory and reports counts, never values', async () => {
    const r = await syncDirectory(dir, { url: db.url, query: QUERY });
    expect(r.kind).toBe('full');
    expect(r.reason).toBe('first sync');
    expect(r.import).toMatchObject({
      format: 'postgres',
      mode: 'replace',
      rowsRead: 30,
      customers: 30,
      totalCustomers: 30,
      skippedRows: 0,
      invalidValues: 0,
    });
    expect(r.import!.values).toMatchObject({ email: 30, phone: 30, full_name: 30 });
    expect(who('kunde.7@example.org')).toEqual(['K007']);
    expect(dir.lookup('phone', '+49305550' + '1012')).toEqual(['K012']);
    const text = JSON.stringify(r);
    for (const p of people) expect(text).not.toContain(p.email);
    expect(text).not.toContain(PASSWORD);
    expect(r.import!.file).toBe(`PostgreSQL 127.0.0.1:5432/${db.name}`);
  });

  it('replaces: a full sync removes customers the query no longer returns (deletions)', async () => {
    await syncDirectory(dir, { url: db.url, query: QUERY });
    await db.sql("DELETE FROM customers WHERE id = 'K003'");
    // an incremental sync cannot see a deleted row: the customer stays …
    const inc = await syncDirectory(dir, { url: db.url, query: QUERY });
    expect(inc.kind).toBe('unchanged');
    expect(who('kunde.3@example.org')).toEqual(['K003']);
    // … until the next full sync (fullEvery, or --full)
    const full = await syncDirectory(dir, { url: db.url, query: QUERY, fullEvery: 0 });
    expect(full.kind).toBe('full');
    expect(full.reason).toMatch(/older than 0 min/);
    expect(who('kunde.3@example.org')).toEqual([]);
    expect(dir.stats().customers).toBe(29);
  });

  it('maps columns as for CSV: AS renames, directoryColumns, array columns as several values', async () => {
    const custom = await openDirectory({
      dataDir: join(tmp, `custom${n}`),
      secret: SECRET,
      defaultRegion: 'DE',
      follow: false,
      columns: ['ticket=ticket_id:strong'],
    });
    try {
      const q =
        "SELECT id AS customer_id, ARRAY[email, 'alt.' || id || '@example.net'] AS email, 'TCK-' || id || '-77' AS ticket FROM customers";
      const r = await syncDirectory(custom, { url: db.url, query: q });
      expect(r.import!.values).toMatchObject({ email: 60, ticket_id: 30 });
      expect(custom.lookup('email', 'alt.k004@example.net')).toEqual(['K004']);
      expect(custom.lookup('email', 'kunde.4@example.org')).toEqual(['K004']);
      expect(custom.lookup('ticket_id', normalizeValue('ticket_id', 'TCK-K004-77')!)).toEqual(['K004']);
    } finally {
      await custom.close();
    }
  });

  it('every sync is full when the query has no updated_at column', async () => {
    await syncDirectory(dir, { url: db.url, query: 'SELECT id, email FROM customers;' });
    await db.sql("UPDATE customers SET email = 'neu.1@example.org' WHERE id = 'K001'");
    const r = await syncDirectory(dir, { url: db.url, query: 'SELECT id, email FROM customers;' });
    expect(r.kind).toBe('full');
    expect(r.reason).toBe('the query has no updated_at column');
    expect(who('neu.1@example.org')).toEqual(['K001']);
    expect(who('kunde.1@example.org')).toEqual([]);
  });
});

describe('incremental sync', { timeout: 120_000 }, () => {
  it('applies only the customers changed since the high-water mark', async () => {
    const first = await syncDirectory(dir, { url: db.url, query: QUERY });
    expect((await readSyncState(dir))?.highWater).toBe(first.highWater);
    await db.sql(
      "UPDATE customers SET email = 'geaendert.5@example.org', updated_at = clock_timestamp() WHERE id = 'K005'",
    );
    await db.sql(
      "INSERT INTO customers (id, full_name, email, phone, country) VALUES ('K900', 'Neu Kunde', 'neu.900@example.org', '030 55509000', 'DE')",
    );
    const r = await syncDirectory(dir, { url: db.url, query: QUERY });
    expect(r.kind).toBe('incremental');
    expect(r.import).toMatchObject({ mode: 'upsert', rowsRead: 2, customers: 2, totalCustomers: 31 });
    expect(r.highWater! > first.highWater!).toBe(true);
    expect(who('geaendert.5@example.org')).toEqual(['K005']);
    expect(who('kunde.5@example.org')).toEqual([]); // the old value went with the change
    expect(who('neu.900@example.org')).toEqual(['K900']);
    expect(who('kunde.6@example.org')).toEqual(['K006']); // untouched customers stay

    const again = await syncDirectory(dir, { url: db.url, query: QUERY });
    expect(again.kind).toBe('unchanged');
    expect(again.import).toBeUndefined();
  });

  it('reads every row of a changed customer spread over several rows', async () => {
    const q =
      'SELECT c.id, c.email, p.phone, greatest(c.updated_at, p.updated_at) AS updated_at FROM customers c JOIN phones p ON p.id = c.id';
    await db.sql(
      'CREATE TABLE phones (id text, phone text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())',
    );
    await db.sql(
      "INSERT INTO phones (id, phone) VALUES ('K001', '030 11110001'), ('K001', '030 11110002'), ('K002', '030 11110003')",
    );
    await syncDirectory(dir, { url: db.url, query: q });
    expect(dir.lookup('phone', '+493011110002')).toEqual(['K001']);
    await db.sql(
      "UPDATE phones SET phone = '030 11110009', updated_at = clock_timestamp() WHERE phone = '030 11110001'",
    );
    const r = await syncDirectory(dir, { url: db.url, query: q });
    expect(r.kind).toBe('incremental');
    expect(r.import!.rowsRead).toBe(2); // both of K001's rows, not just the changed one
    expect(dir.lookup('phone', '+493011110009')).toEqual(['K001']);
    expect(dir.lookup('phone', '+493011110002')).toEqual(['K001']);
    expect(dir.lookup('phone', '+493011110001')).toEqual([]);
    expect(dir.lookup('phone', '+493011110003')).toEqual(['K002']);
  });

  it('falls back to a full sync when something else changed the directory or the query changed', async () => {
    await syncDirectory(dir, { url: db.url, query: QUERY });
    await dir.remove(['K001']);
    const r = await syncDirectory(dir, { url: db.url, query: QUERY });
    expect(r.kind).toBe('full');
    expect(r.reason).toBe('the directory was changed since the last sync');
    expect(who('kunde.1@example.org')).toEqual(['K001']);
    const other = await syncDirectory(dir, { url: db.url, query: QUERY + ' WHERE id <> $$K002$$' });
    expect(other).toMatchObject({ kind: 'full', reason: 'the database or query changed' });
  });
});

describe('atomic swap', { timeout: 120_000 }, () => {
  it('readers see the old directory until the new one is complete', async () => {
    await syncDirectory(dir, { url: db.url, query: QUERY });
    await db.sql(
      "UPDATE customers SET email = 'spaeter.' || substr(id, 2) || '@example.org', updated_at = clock_timestamp()",
    );
    const source = new PostgresSource({ url: db.url, query: QUERY, batchSize: 5 });
    await source.open();
    const seen: { old: number; fresh: number }[] = [];
    const watched: RowSource = {
      label: source.label,
      format: source.format,
      feed: (sink, extras) =>
        source.feed(
          {
            row: (...a) => {
              sink.row(...a);
              seen.push({ old: who('kunde.20@example.org').length, fresh: who('spaeter.020@example.org').length });
            },
            skip: (...a) => sink.skip(...a),
          },
          extras,
        ),
    };
    try {
      await dir.importFrom(watched, { mode: 'replace' });
    } finally {
      await source.close();
    }
    expect(seen).toHaveLength(30);
    expect(seen.every((s) => s.old === 1 && s.fresh === 0)).toBe(true);
    expect(who('spaeter.020@example.org')).toEqual(['K020']);
    expect(who('kunde.20@example.org')).toEqual([]);
  });

  it('a query failing midway leaves the old directory answering, in memory and in the store', async () => {
    await syncDirectory(dir, { url: db.url, query: QUERY });
    const version = dir.stats().version;
    await db.sql(
      "UPDATE customers SET email = 'nie.' || substr(id, 2) || '@example.org', updated_at = clock_timestamp()",
    );
    // row K025 divides by zero, after 25 rows were streamed (5 per cursor batch)
    const failing = `SELECT id, email, 1 / (CASE WHEN id = 'K025' THEN 0 ELSE 1 END) AS x, updated_at FROM customers ORDER BY id`;
    const err = await syncDirectory(dir, { url: db.url, query: failing, full: true, batchSize: 5 }).then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err).toMatchObject({ code: 'EPG_DIRECTORY_SYNC' });
    expect(err!.message).toBe('the sync query failed while reading rows: data error (SQLSTATE 22012)');
    expect(dir.stats().version).toBe(version);
    expect(who('kunde.3@example.org')).toEqual(['K003']);
    expect(who('nie.003@example.org')).toEqual([]);
    const reopened = await open(`d${n - 1}`);
    try {
      expect(reopened.stats().version).toBe(version);
      expect(reopened.lookup('email', 'kunde.3@example.org')).toEqual(['K003']);
    } finally {
      await reopened.close();
    }
  });
});

describe('a sync larger than the import chunk', { timeout: 120_000 }, () => {
  const runs = (sub: string): string[] =>
    readdirSync(join(tmp, sub, 'directory')).filter((f) => f.startsWith('.sort-'));

  it('spills sorted runs to the data folder, answers as an in-memory sync, and removes them, also on failure', async () => {
    const sub = `chunk${n++}`;
    const small = await openDirectory({
      dataDir: join(tmp, sub),
      secret: SECRET,
      defaultRegion: 'DE',
      follow: false,
      importChunk: 7,
    });
    try {
      // the rows of a PostgresSource go to runs in DATA_DIR/directory while they are read
      const source = new PostgresSource({ url: db.url, query: QUERY, batchSize: 4 });
      await source.open();
      let most = 0;
      const watched: RowSource = {
        label: source.label,
        format: source.format,
        feed: (sink, extras) =>
          source.feed(
            {
              row: (...a) => {
                sink.row(...a);
                most = Math.max(most, runs(sub).length);
              },
              skip: (...a) => sink.skip(...a),
            },
            extras,
          ),
      };
      try {
        await small.importFrom(watched, { mode: 'replace' });
      } finally {
        await source.close();
      }
      expect(most).toBeGreaterThan(10);
      expect(runs(sub)).toEqual([]);

      const full = await syncDirectory(small, { url: db.url, query: QUERY, batchSize: 4, full: true });
      await syncDirectory(dir, { url: db.url, query: QUERY });
      expect(full.import).toMatchObject({ mode: 'replace', customers: 30, totalCustomers: 30 });
      expect(small.stats().values).toEqual(dir.stats().values);
      for (const p of people) {
        expect(small.lookup('email', p.email)).toEqual([p.id]);
        expect(small.lookup('full_name', normalizeValue('full_name', p.name)!)).toEqual(
          dir.lookup('full_name', normalizeValue('full_name', p.name)!),
        );
      }
      expect(runs(sub)).toEqual([]);

      // incremental: an upsert of the changed customers
      await db.sql(
        "UPDATE customers SET email = 'neu.' || substr(id, 2) || '@example.org', updated_at = clock_timestamp() WHERE id < 'K010'",
      );
      const inc = await syncDirectory(small, { url: db.url, query: QUERY });
      expect(inc.kind).toBe('incremental');
      expect(small.lookup('email', 'neu.004@example.org')).toEqual(['K004']);
      expect(small.lookup('email', 'kunde.4@example.org')).toEqual([]);
      expect(small.lookup('email', 'kunde.14@example.org')).toEqual(['K014']);
      expect(runs(sub)).toEqual([]);

      // failing midway, after several runs were written
      const version = small.stats().version;
      const failing = `SELECT id, email, 1 / (CASE WHEN id = 'K025' THEN 0 ELSE 1 END) AS x, updated_at FROM customers ORDER BY id`;
      await expect(
        syncDirectory(small, { url: db.url, query: failing, full: true, batchSize: 5 }),
      ).rejects.toMatchObject({ code: 'EPG_DIRECTORY_SYNC' });
      expect(small.stats().version).toBe(version);
      expect(small.lookup('email', 'neu.004@example.org')).toEqual(['K004']);
      expect(runs(sub)).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

describe('errors: one line, no credentials', { timeout: 120_000 }, () => {
  const failure = async (url: string, query: string): Promise<{ code: string; message: string }> =>
    syncDirectory(dir, { url, query }).then(
      () => {
        throw new Error('sync succeeded');
      },
      (e: { code: string; message: string }) => e,
    );

  it.each([
    [
      'an unreachable database',
      () => `postgres://postgres:${PASSWORD}@127.0.0.1:1/x`,
      QUERY,
      /^cannot connect to PostgreSQL at 127\.0\.0\.1:1\/x \(ECONNREFUSED\)$/,
    ],
    [
      'a database that does not exist',
      () => `postgres://postgres:${PASSWORD}@127.0.0.1:5432/no_such_db_sync`,
      QUERY,
      /refused the connection: database "no_such_db_sync" does not exist \(SQLSTATE 3D000\)$/,
    ],
    [
      'bad SQL',
      () => db.url,
      'SELECT id, email FORM customers',
      /^the sync query is not valid: syntax error at or near "customers" at character 23 \(SQLSTATE 42601\)$/,
    ],
    [
      'an unknown table',
      () => db.url,
      'SELECT * FROM kunden',
      /^the sync query is not valid: relation "kunden" does not exist/,
    ],
    [
      'no customer id column',
      () => db.url,
      'SELECT email, phone FROM customers',
      /^the sync query returns no customer id column \(customer_id or id\); it returns: email, phone$/,
    ],
    [
      'no personal-data column',
      () => db.url,
      'SELECT id, country FROM customers',
      /^the sync query returns no personal-data column .*; it returns: id, country$/,
    ],
  ])('%s', async (_what, url, query, message) => {
    await syncDirectory(dir, { url: db.url, query: QUERY });
    const version = dir.stats().version;
    const e = await failure(url(), query);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(PASSWORD);
    expect(e.message).not.toContain('\n');
    expect(dir.stats().version).toBe(version);
    expect(who('kunde.1@example.org')).toEqual(['K001']);
  });

  it('a data error quotes no value from the rows', async () => {
    const e = await failure(db.url, 'SELECT id, email::int AS email, updated_at FROM customers');
    expect(e.message).toMatch(/SQLSTATE 22P02\)$/);
    expect(e.message).not.toContain('example.org');
  });
});

describe('detection', { timeout: 120_000 }, () => {
  it('a synced customer’s data in a message is then detected', async () => {
    await syncDirectory(dir, { url: db.url, query: QUERY });
    const raw = Buffer.from(
      'From: support@shop.example\r\nTo: someone@elsewhere.example\r\nSubject: Ihre Anfrage\r\n\r\n' +
        'Hallo, die Bestellung geht an kunde.14@example.org, Telefon 030 55501014.\r\n',
    );
    const scan = await scanMessage(
      raw,
      { mailFrom: 'support@shop.example', rcptTo: ['someone@elsewhere.example'] },
      { directory: dir, internalDomains: ['shop.example'] },
    );
    const found = scan.detection.findings.filter((f) => f.customers.includes('K014')).map((f) => f.kind);
    expect(found).toEqual(expect.arrayContaining(['email', 'phone']));
  });
});

describe('Redis store', { timeout: 120_000 }, () => {
  const URL = 'redis://127.0.0.1:6379';
  const prefix = `pgtest:sync:${Date.now().toString(36)}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('syncs into Redis; another relay follows and continues incrementally from the shared state', async () => {
    const a = await openDirectory({
      dataDir: join(tmp, 'ra'),
      redis: URL,
      redisPrefix: prefix,
      secret: SECRET,
      defaultRegion: 'DE',
    });
    const b = await openDirectory({
      dataDir: join(tmp, 'rb'),
      redis: URL,
      redisPrefix: prefix,
      secret: SECRET,
      defaultRegion: 'DE',
    });
    try {
      const first = await syncDirectory(a, { url: db.url, query: QUERY });
      expect(first.kind).toBe('full');
      await expect.poll(() => b.lookup('email', 'kunde.9@example.org'), { timeout: 20_000 }).toEqual(['K009']);
      await db.sql(
        "UPDATE customers SET email = 'redis.9@example.org', updated_at = clock_timestamp() WHERE id = 'K009'",
      );
      // the second relay syncs next: the state is in Redis, so it is incremental
      await expect.poll(() => b.stats().version, { timeout: 20_000 }).toBe(first.import!.version);
      const second = await syncDirectory(b, { url: db.url, query: QUERY });
      expect(second).toMatchObject({ kind: 'incremental', import: { rowsRead: 1 } });
      await expect.poll(() => a.lookup('email', 'redis.9@example.org'), { timeout: 20_000 }).toEqual(['K009']);
      expect(a.lookup('email', 'kunde.9@example.org')).toEqual([]);
      const stored = (await redis.getBuffer(`${prefix}directory:meta:sync`))!.toString();
      expect(stored).not.toContain(PASSWORD);
      expect(stored).not.toContain('example.org');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
