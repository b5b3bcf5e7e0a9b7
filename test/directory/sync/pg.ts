/** Test databases on the local PostgreSQL (trust auth, user postgres): each test file creates its own and drops it. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  name: string;
  /** URL of the test database; with a password the server ignores (trust auth), to check it is never shown. */
  url: string;
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

export const PASSWORD = 'Sup3rSecretPassw0rd';

export async function createTestDb(): Promise<TestDb> {
  const name = `pg_test_dirsync_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${name}` });
  await client.connect();
  return {
    name,
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:5432/${name}`,
    sql: (text, values) => client.query(text, values),
    async drop() {
      await client.end().catch(() => undefined);
      const a = new pg.Client({ connectionString: PG_ADMIN });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** A customers table: id, full_name, email, phone, country, updated_at. */
export async function createCustomers(
  db: TestDb,
  rows: { id: string; name: string; email: string; phone: string; country?: string }[],
): Promise<void> {
  await db.sql(
    'CREATE TABLE customers (id text PRIMARY KEY, full_name text, email text, phone text, country text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())',
  );
  for (const r of rows)
    await db.sql('INSERT INTO customers (id, full_name, email, phone, country) VALUES ($1, $2, $3, $4, $5)', [
      r.id,
      r.name,
      r.email,
      r.phone,
      r.country ?? 'DE',
    ]);
}
