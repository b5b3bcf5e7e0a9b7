/** The PostgreSQL backend against the real server on 127.0.0.1:5432, in a database of its own. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { openJournal } from '../../src/journal/journal.js';
import { BIN } from '../helpers/child-relay.js';
import { entry, journalContract } from './contract.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `pgtest_journal_${randomBytes(5).toString('hex')}`;
const URL = `postgres://postgres@127.0.0.1:5432/${DB}`;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${DB}`);
});
afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
});

describe('postgres journal', () => {
  // each contract case gets a clean table
  journalContract(async () => {
    const j = await openJournal({ dataDir: '/nonexistent', postgres: URL });
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    await c.query('TRUNCATE postguard_journal');
    await c.end();
    return j;
  });

  it('shares one table between several relays (two pools), and stores entries as queryable JSON', async () => {
    const a = await openJournal({ dataDir: '/nonexistent', postgres: URL });
    const b = await openJournal({ dataDir: '/nonexistent', postgres: URL });
    const time = new Date().toISOString();
    await a.append(entry({ ref: 'SHARED', event: 'verdict', time, customers: ['PGC'] }));
    await b.append(
      entry({
        ref: 'SHARED',
        event: 'released',
        time: new Date(Date.now() + 1000).toISOString(),
        actor: 'admin:rita',
        customers: ['PGC'],
        delivered: true,
      }),
    );
    const h = await a.byReference('SHARED');
    expect(h?.events.map((e) => e.actor)).toEqual(['relay', 'admin:rita']);
    expect(h?.status).toBe('released');
    await a.close();
    await b.close();
  });

  it('`postguard report` reads the PostgreSQL journal (--journal-postgres)', { timeout: 60_000 }, async () => {
    const j = await openJournal({ dataDir: '/nonexistent', postgres: URL });
    const t0 = Date.now();
    await j.append(entry({ ref: 'PGREF', event: 'verdict', time: new Date(t0).toISOString(), customers: ['PGCLI'] }));
    await j.append(
      entry({
        ref: 'PGREF',
        event: 'held',
        time: new Date(t0 + 1).toISOString(),
        customers: ['PGCLI'],
        delivered: false,
      }),
    );
    await j.append(
      entry({
        ref: 'PGREF',
        event: 'deleted',
        time: new Date(t0 + 2).toISOString(),
        customers: ['PGCLI'],
        actor: 'admin:rita',
        delivered: false,
      }),
    );
    await j.close();
    const run = (args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [BIN, 'report', ...args, '--journal-postgres', URL, '--json'],
          { timeout: 50_000 },
          (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)),
        ),
      );
    const lines = (await run(['customer', 'PGCLI']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        customer: 'PGCLI',
        ref: 'PGREF',
        status: 'deleted',
        delivered: false,
        actions: [expect.objectContaining({ event: 'deleted', actor: 'admin:rita' })],
      }),
    ]);
    const incident = JSON.parse(await run(['incident', 'PGREF'])) as { status: string; timeline: unknown[] };
    expect(incident.status).toBe('deleted');
    expect(incident.timeline.length).toBe(3);
  });

  it('names the database without its password when it cannot connect', async () => {
    await expect(
      openJournal({ dataDir: '/x', postgres: 'postgres://postgres:hunter2@127.0.0.1:1/none' }),
    ).rejects.toThrow(/postgres:\(secret\)@127\.0\.0\.1:1/);
    await expect(
      openJournal({ dataDir: '/x', postgres: 'postgres://postgres:hunter2@127.0.0.1:1/none' }),
    ).rejects.not.toThrow(/hunter2/);
  });
});
